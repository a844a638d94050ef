using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <content>
/// The write stamp of the cache's sets and adds (issue 9, lane gaps7): as a store's put does, each carries the server
/// time it was sent (<see cref="RedisWriteClock"/>, fed by the server times these scripts return), so a write that sat
/// on a socket its sender gave up on, and reaches Redis after a newer write or a removal of the key, is refused
/// (<see cref="RedisCacheScripts.Set"/>).
/// </content>
internal sealed partial class RedisCacheTier
{
    private readonly RedisWriteClock _writeClock = new();

    /// <summary>
    /// Runs a stamped write (<see cref="RedisCacheScripts.Set"/> or <see cref="RedisCacheScripts.Add"/>) of a key: the
    /// stamp (argument 3) is taken once the call is through the breaker and the clean-up. Returns whether it stored.
    /// </summary>
    private async ValueTask<bool> StampedAsync(string script, string key, RedisValue[] arguments, CancellationToken cancellationToken) =>
        await RunAsync((Tier: this, Script: script, Key: key, Arguments: arguments), static async (database, s, ct) =>
        {
            var tier = s.Tier;
            RedisKey[] keys = tier._topology.IsCluster(database) ? [tier.KeyOf(s.Key), tier.FenceKeyOf(s.Key)] : [tier.KeyOf(s.Key), tier.FenceKeyOf(s.Key), tier._flushFenceKey];
            s.Arguments[2] = await tier.StampAsync(database, ct).ConfigureAwait(false);
            var reply = (RedisResult[])(await database.ScriptEvaluateAsync(s.Script, keys, s.Arguments).WaitAsync(ct).ConfigureAwait(false))!;
            tier._writeClock.Observe((string?)reply[1]);
            return (long)reply[0] == 1;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>The stamp of a write sent now; before any server time was seen, the server's <c>TIME</c> is asked once (a stamp of 0 would be refused).</summary>
    private async ValueTask<long> StampAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var stamp = _writeClock.Stamp();
        if (stamp != 0)
        {
            return stamp;
        }

        var time = await database.ExecuteAsync(RedisServerTime.Command).WaitAsync(cancellationToken).ConfigureAwait(false);
        _writeClock.Observe(RedisServerTime.Micros(time));
        return _writeClock.Stamp();
    }
}
