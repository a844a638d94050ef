namespace Stockpile;

/// <summary>Options of a <see cref="StockpileCache"/>.</summary>
public sealed class StockpileCacheOptions
{
    /// <summary>Gets or sets the cache's namespace: keys of caches with other prefixes never meet, and a flush removes only this one's.</summary>
    /// <value>The default value is <c>"cache"</c>.</value>
    public string KeyPrefix { get; set; } = "cache";

    /// <summary>Gets or sets how long values are kept when no expiration is given.</summary>
    /// <value>The default value is 30 minutes.</value>
    public TimeSpan DefaultExpiration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets the longest key accepted; a longer key is refused with an <see cref="ArgumentException"/>.</summary>
    /// <value>The default value is 1,024 characters.</value>
    public int MaximumKeyLength { get; set; } = 1024;

    /// <summary>Gets or sets the serializer that copies values of types that are not immutable.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="SystemTextJsonStockpileSerializer.Default"/>.</value>
    public IStockpileSerializer? Serializer { get; set; }

    /// <summary>Gets or sets the clock that expiry is measured by.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }
}
