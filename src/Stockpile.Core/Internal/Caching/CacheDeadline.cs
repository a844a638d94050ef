namespace Stockpile.Internal.Caching;

/// <summary>
/// When a cached value expires, on the two clocks of its tier's <see cref="CacheClock"/>: <see cref="Coarse"/>, before
/// which the cheap clock may answer "alive" on its own, and <see cref="Exact"/>, the expiry itself on the exact clock,
/// which decides the rest of the lifetime. With a provider other than the system one both are the same moment.
/// </summary>
/// <param name="Coarse">The last moment, on <see cref="CacheClock.Now"/>, at which the value is surely alive whatever the coarse clock's lag.</param>
/// <param name="Exact">The expiry on <see cref="CacheClock.ExactNow"/>.</param>
internal readonly record struct CacheDeadline(long Coarse, long Exact)
{
    /// <summary>Gets the deadline of a value that never expires: a hit reads no clock.</summary>
    public static CacheDeadline Never { get; } = new(long.MaxValue, long.MaxValue);
}
