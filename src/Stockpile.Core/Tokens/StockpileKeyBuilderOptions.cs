namespace Stockpile;

/// <summary>Options of the <see cref="IStockpileKeyBuilder"/> and its tokens.</summary>
public sealed class StockpileKeyBuilderOptions
{
    /// <summary>
    /// Gets or sets how long a token lives untouched; an expired token is made again with a new value, which changes
    /// the keys built from it once (never serving anything stale). Keep it longer than what is cached under the keys.
    /// </summary>
    /// <value>The default value is 1 day. <see cref="Timeout.InfiniteTimeSpan"/> keeps tokens forever.</value>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets the clock tokens expire by.</summary>
    /// <value>The default value is <see langword="null"/>: the <see cref="TimeProvider"/> in the container, else <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }
}
