namespace Stockpile;

/// <summary>Options of one container; bindable from configuration (a child of <c>Stockpile:Containers</c> by convention).</summary>
public sealed class StockpileContainerOptions
{
    /// <summary>
    /// Gets or sets how long values are kept, as text: <c>"5 sec"</c>, <c>"2 hours"</c>, <c>"1 day"</c>,
    /// <c>"00:05:00"</c>, or <c>"0"</c> for never (see <see cref="ObjectLifetime.Parse(string)"/>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the cache's default expiration.</value>
    public string? Lifetime { get; set; }

    /// <summary>Gets or sets the named cache (<c>AddCache(name)</c>, <c>AddRedisCache(name)</c>) the values are kept in, under keys prefixed with the container's name.</summary>
    /// <value>The default value is <see langword="null"/>: a process-memory cache of the container's own.</value>
    public string? Cache { get; set; }
}
