namespace Stockpile;

/// <summary>How one value is kept by an <see cref="IStockpileCache"/>.</summary>
public sealed class StockpileCacheEntryOptions
{
    /// <summary>Gets or sets how long the value is kept.</summary>
    /// <value>The default value is <see langword="null"/>: the cache's <see cref="StockpileCacheOptions.DefaultExpiration"/>.</value>
    public TimeSpan? Expiration { get; set; }

    /// <summary>Gets or sets the tags the value carries; removing any one of them removes the value.</summary>
    /// <value>The default value is <see langword="null"/>: no tags.</value>
    public IReadOnlyCollection<string>? Tags { get; set; }
}
