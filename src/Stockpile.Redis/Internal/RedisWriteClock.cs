namespace Stockpile.Redis.Internal;

/// <summary>
/// The stamp a put carries (see <see cref="RedisScripts.Put"/>): a lower bound of the Redis server's time (µs) at the
/// moment the put is sent, so the script can tell a put that arrived late from one that came at once, and whether a
/// key of its object was fenced after it was sent. Made from the server times the store's own scripts return (their
/// fences' time) and this process's monotonic clock: no wall clock of any app instance is involved, so clock skew
/// between instances cannot order writes. The same bound serves a chain's read as its lease (<see cref="TryLease"/>).
/// </summary>
/// <remarks>
/// A reply carrying server time <c>T</c> is observed at local time <c>L</c>, after the server read <c>T</c>: so at
/// any later local time <c>t</c> the server's time is at least <c>T + (t − L)</c>. The clock keeps the largest such
/// bound over every reply (less 1 ms per second since it was observed, for the drift between the two clocks), so a
/// put sent after a write of this store has returned is stamped no earlier than that write's fences: a store's own
/// writes never look newer than its later puts. That holds only while every script that fences returns its fence's
/// time and the store observes it before the write returns (on a cluster the pointer and unlink scripts too: a put's
/// pointer fence is its last and latest; issue 9, session 10). The server's clock must not step back (the leases
/// assume it too).
/// </remarks>
internal sealed class RedisWriteClock
{
    /// <summary>How recently a server time must have been seen for <see cref="TryLease"/> to answer: 1 s, so its drift allowance stays at most 1 ms.</summary>
    public const long LeaseFreshnessMicros = 1_000_000;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _origin;
    private long _offset;
    private long _observedAt;
    private bool _known;

    // The latest reply's bound, whatever its value: it keeps a lease fresh when replies come in slower than the one
    // that set the largest bound (a busy machine observes a reply late, which makes its bound lower but no less true).
    private long _latestOffset;
    private long _latestAt;

    /// <param name="time">The local monotonic clock (its timestamps only); the system's unless a test fakes it.</param>
    public RedisWriteClock(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
    }

    /// <summary>Gets the stamp of a put sent now: µs of server time, or 0 before any server time was seen (such a put is refused).</summary>
    public long Stamp()
    {
        var local = LocalMicros();
        lock (_gate)
        {
            return _known ? local + _offset - Drift(local - _observedAt) : 0;
        }
    }

    /// <summary>
    /// Gets the lease of a read sent right after this call, on a single server: a lower bound of the server's time when
    /// it runs the read, as the server's <c>TIME</c> read behind it would give (only lower, which a back-fill's checks
    /// only make stricter), when a server time was seen within <see cref="LeaseFreshnessMicros"/>; otherwise
    /// <see langword="false"/>, and the read takes the server's time instead (and feeds it to <see cref="Observe(long)"/>).
    /// </summary>
    public bool TryLease(out long lease)
    {
        var local = LocalMicros();
        lock (_gate)
        {
            lease = 0;
            if (!_known)
            {
                return false;
            }

            if (local - _observedAt <= LeaseFreshnessMicros)
            {
                lease = local + _offset - Drift(local - _observedAt);
            }

            if (local - _latestAt <= LeaseFreshnessMicros)
            {
                lease = Math.Max(lease, local + _latestOffset - Drift(local - _latestAt));
            }

            return lease > 0;
        }
    }

    /// <summary>Takes in a server time (µs) a reply just brought.</summary>
    public void Observe(long serverMicros)
    {
        var local = LocalMicros();
        var offset = serverMicros - local;
        lock (_gate)
        {
            if (!_known || offset >= _offset - Drift(local - _observedAt))
            {
                (_offset, _observedAt, _known) = (offset, local, true);
            }

            if (local >= _latestAt)
            {
                (_latestOffset, _latestAt) = (offset, local);
            }
        }
    }

    /// <summary>Takes in a server time a reply brought as a 16-digit string of µs (the scripts' format); ignores anything else.</summary>
    public void Observe(string? serverMicros)
    {
        if (long.TryParse(serverMicros, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var micros))
        {
            Observe(micros);
        }
    }

    // 1 ms per s: far more than two running clocks drift apart (NTP slews at most 0.5 ms per s).
    private static long Drift(long elapsedMicros) => elapsedMicros / 1000;

    private long LocalMicros() => _time.GetElapsedTime(_origin).Ticks / 10;
}
