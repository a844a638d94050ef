using System.Diagnostics;

namespace Stockpile.Redis.Internal;

/// <summary>
/// The stamp a put carries (see <see cref="RedisScripts.Put"/>): a lower bound of the Redis server's time (µs) at the
/// moment the put is sent, so the script can tell a put that arrived late from one that came at once, and whether a
/// key of its object was fenced after it was sent. Made from the server times the store's own scripts return (their
/// fences' time) and this process's monotonic clock: no wall clock of any app instance is involved, so clock skew
/// between instances cannot order writes.
/// </summary>
/// <remarks>
/// A reply carrying server time <c>T</c> is observed at local time <c>L</c>, after the server read <c>T</c>: so at
/// any later local time <c>t</c> the server's time is at least <c>T + (t − L)</c>. The clock keeps the largest such
/// bound over every reply (less 1 ms per second since it was observed, for the drift between the two clocks), so a
/// put sent after a write of this store has returned is stamped no earlier than that write's fences: a store's own
/// writes never look newer than its later puts. The server's clock must not step back (the leases assume it too).
/// </remarks>
internal sealed class RedisWriteClock
{
    private readonly Lock _gate = new();
    private readonly long _origin = Stopwatch.GetTimestamp();
    private long _offset;
    private long _observedAt;
    private bool _known;

    /// <summary>Gets the stamp of a put sent now: µs of server time, or 0 before any server time was seen (such a put is refused).</summary>
    public long Stamp()
    {
        var local = LocalMicros();
        lock (_gate)
        {
            return _known ? local + _offset - Drift(local - _observedAt) : 0;
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

    private long LocalMicros() => Stopwatch.GetElapsedTime(_origin).Ticks / 10;
}
