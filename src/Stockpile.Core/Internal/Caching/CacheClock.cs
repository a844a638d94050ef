using System.Runtime.CompilerServices;

namespace Stockpile.Internal.Caching;

/// <summary>
/// The cache's clock for expiry checks on every hit. With the system clock, a hit reads
/// <see cref="Environment.TickCount64"/> (coarse: a fraction of the exact clock's cost), which may only say that a value
/// is still alive with room to spare; the last <see cref="CoarseMarginMilliseconds"/> (and a thousandth) of a lifetime
/// are checked on the exact clock, so a value is never served after its expiry, nor dropped before it. Any other
/// provider (a test's fake clock) is read as it is, exactly. The wall clock is read only when a value is written, to
/// turn its expiry into a <see cref="CacheDeadline"/>.
/// </summary>
internal sealed class CacheClock(TimeProvider time)
{
    /// <summary>
    /// The most <see cref="Environment.TickCount64"/> can lag the exact clock: its tick (1/HZ on Linux, at most 10 ms;
    /// 15.6 ms on Windows) and its truncation to whole milliseconds.
    /// </summary>
    internal const long CoarseMarginMilliseconds = 17;

    private readonly bool _coarse = ReferenceEquals(time, TimeProvider.System);

    public TimeProvider Time => time;

    /// <summary>Now, in <see cref="CacheDeadline.Coarse"/>'s units: the coarse clock with the system provider, else the provider's timestamp.</summary>
    public long Now() => _coarse ? Environment.TickCount64 : time.GetTimestamp();

    /// <summary>Now, in <see cref="CacheDeadline.Exact"/>'s units.</summary>
    public long ExactNow() => time.GetTimestamp();

    /// <summary>Whether a value with this deadline is still alive: the coarse clock first, the exact one only near the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsAlive(in CacheDeadline deadline) => Now() < deadline.Coarse || ExactNow() < deadline.Exact;

    /// <summary>The deadline of a value expiring at <paramref name="expiresAt"/>; <see cref="CacheDeadline.Never"/> for never.</summary>
    public CacheDeadline DeadlineOf(DateTimeOffset? expiresAt)
    {
        if (expiresAt is not { } at)
        {
            return CacheDeadline.Never;
        }

        // Both clocks are read before the wall clock: the time left is measured from no earlier a moment than theirs,
        // so either deadline can only be early (by the reads' few nanoseconds and the truncations), never late.
        var coarseNow = _coarse ? Environment.TickCount64 : 0;
        var exactNow = time.GetTimestamp();
        var left = at - time.GetUtcNow();
        var units = left.Ticks * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond;
        if (units >= long.MaxValue / 2)
        {
            return CacheDeadline.Never;
        }

        var exact = exactNow + (long)units;
        if (!_coarse)
        {
            return new CacheDeadline(exact, exact);
        }

        // The coarse clock answers while more than its lag is left, and a thousandth of the lifetime (its rate and the
        // exact clock's may differ a little over hours); a lifetime shorter than that is checked on the exact clock alone.
        var milliseconds = (long)left.TotalMilliseconds;
        return new CacheDeadline(coarseNow + milliseconds - CoarseMarginMilliseconds - (milliseconds / 1_000), exact);
    }
}
