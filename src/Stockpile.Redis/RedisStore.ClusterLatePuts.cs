using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// On a cluster, a put's object script that reached its node late cannot read the fences of its alternate keys (other
/// slots): it evicts the object (status 4 of <see cref="RedisClusterScripts.PutObject"/>), and a sender still waiting
/// puts again here, checking those fences before and after (issue 9, lanes gaps8 and form10).
/// </content>
public sealed partial class RedisStore
{
    /// <summary>
    /// Puts again an object whose put's script arrived late and evicted it (status 4) while its sender still waits: if
    /// no alternate key was fenced after <paramref name="stamp"/>, the object script is sent again with a new stamp in
    /// the mode that lateness alone never evicts (<c>~</c>: it is still refused when the object's own key or slot was
    /// fenced after the new stamp), then the alternate keys' fences are checked once more, since the first stamp, and
    /// the object is evicted if one was set meanwhile (a delete by an alternate key alone that overtook the put). So a
    /// put on a slow link (a busy machine makes every script late: a stamp trails the server by the latency of the reply
    /// that last fed the clock) is written after one more round, never left a miss, and none stands after a newer delete.
    /// </summary>
    /// <remarks>
    /// Once sent, the second script and the check after it are awaited even if the caller cancels (each is bounded by
    /// the multiplexer's timeout): a put sent again never stands unchecked. Should either fail, the put fails and its
    /// keys are removed by the clean-up of missed writes, as for any failed put.
    /// </remarks>
    /// <returns>The status (1 written, 3 refused: the object evicted) and the old alternate keys both scripts found.</returns>
    private async Task<(int Status, string[] Old)> PutAgainAfterLateAsync(IDatabase database, string primary, string[] alternates, RedisValue value, long ttl, string stamp, string[] old, CancellationToken cancellationToken)
    {
        if (!await AlternatesUnfencedSinceAsync(database, alternates, stamp, cancellationToken).ConfigureAwait(false))
        {
            return (LateRefused, old);
        }

        var again = (RedisValue)("~" + RedisServerTime.MicrosText(_writeClock.Stamp()));
        var reply = await PutObjectOnClusterAsync(database, primary, alternates, value, ttl, again, s_putMode, CancellationToken.None).ConfigureAwait(false);
        var status = (int)reply[0];
        old = [.. old.Union(OldAlternates(reply), StringComparer.Ordinal)];
        if (status == 1 && !await AlternatesUnfencedSinceAsync(database, alternates, stamp, CancellationToken.None).ConfigureAwait(false))
        {
            await EvictOnClusterAsync(database, primary, null, CancellationToken.None).ConfigureAwait(false);
            return (LateRefused, old);
        }

        return (status, old);
    }

    /// <summary>The status of <see cref="RedisClusterScripts.PutObject"/> for a late put refused (the object evicted).</summary>
    private const int LateRefused = 3;
}
