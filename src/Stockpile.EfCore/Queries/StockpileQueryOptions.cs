namespace Stockpile;

/// <summary>How one cached query keeps its result (<see cref="StockpileQueryableExtensions.Cached{T}(IQueryable{T}, StockpileQueryOptions)"/>).</summary>
public sealed class StockpileQueryOptions
{
    /// <summary>Gets or sets how long the result is kept at most (a commit that changes a table it read drops it sooner).</summary>
    /// <value>The default value is <see langword="null"/>: the cache's <see cref="StockpileCacheOptions.DefaultExpiration"/>.</value>
    public TimeSpan? Expiration { get; set; }

    /// <summary>Gets or sets tags the result carries besides its tables; <see cref="IStockpileCache.RemoveByTagAsync"/> of any drops it.</summary>
    /// <value>The default value is <see langword="null"/>: no tags of your own.</value>
    public IReadOnlyCollection<string>? Tags { get; set; }

    /// <summary>Gets or sets the named cache (<c>AddCache(name)</c>, <c>AddRedisCache(name)</c>) that keeps the result.</summary>
    /// <value>The default value is <see langword="null"/>: the default cache (<c>AddCache()</c>, <c>AddRedisCache()</c>), or <see cref="StockpileInterceptorOptions.QueryCache"/>.</value>
    public string? CacheName { get; set; }
}
