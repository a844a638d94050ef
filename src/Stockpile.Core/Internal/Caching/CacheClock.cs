namespace Stockpile.Internal.Caching;

/// <summary>
/// The cache's clock for expiry checks on every hit: with the system clock, <see cref="Environment.TickCount64"/>
/// milliseconds (monotonic and far cheaper than reading the wall clock); any other provider (a test's fake clock) as
/// it is. The wall clock is read only when a value is written, to turn its expiry into a deadline.
/// </summary>
internal sealed class CacheClock(TimeProvider time)
{
    private readonly bool _tickCount = ReferenceEquals(time, TimeProvider.System);

    public TimeProvider Time => time;

    public long Now() => _tickCount ? Environment.TickCount64 : time.GetTimestamp();

    /// <summary>The deadline in <see cref="Now"/>'s units; <see cref="long.MaxValue"/> for never.</summary>
    public long DeadlineOf(DateTimeOffset? expiresAt)
    {
        if (expiresAt is not { } at)
        {
            return long.MaxValue;
        }

        var frequency = _tickCount ? 1_000 : time.TimestampFrequency;
        var units = (at - time.GetUtcNow()).Ticks * (double)frequency / TimeSpan.TicksPerSecond;
        return units >= long.MaxValue / 2 ? long.MaxValue : Now() + (long)units;
    }
}
