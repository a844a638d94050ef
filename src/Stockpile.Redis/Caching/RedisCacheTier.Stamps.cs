using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <content>
/// The write stamp of the cache's sets and adds (issue 9, lane gaps7): as a store's put does, each carries the server
/// time it was sent (<see cref="RedisWriteClock"/>, fed by the server times these scripts return), so a write that sat
/// on a socket its sender gave up on, and reaches Redis after a newer write or a removal of the key, is refused
/// (<see cref="RedisCacheScripts.Set"/>). Increments are stamped too (lane gaps8, <see cref="RedisCacheScripts.Increment"/>),
/// and on a cluster a flush fences every slot, since a script reads only its entry's slot
/// (<see cref="FlushFenceOf"/>).
/// </content>
internal sealed partial class RedisCacheTier
{
    /// <summary>How many times an increment is sent when Redis refuses it as late (its caller is still waiting: a busy link, not a lost socket).</summary>
    private const int IncrementAttempts = 3;

    private readonly RedisWriteClock _writeClock = new();

    // A cluster's flush fence, copied into every slot (made when first used).
    private RedisSlotFence? _slotFlushFence;

    /// <summary>
    /// Runs a stamped write (<see cref="RedisCacheScripts.Set"/> or <see cref="RedisCacheScripts.Add"/>) of a key: the
    /// stamp (argument 3) is taken once the call is through the breaker and the clean-up. Returns whether it stored.
    /// </summary>
    private async ValueTask<bool> StampedAsync(string script, string key, RedisValue[] arguments, CancellationToken cancellationToken) =>
        await RunAsync((Tier: this, Script: script, Key: key, Arguments: arguments), static async (database, s, ct) =>
        {
            var tier = s.Tier;
            var entry = tier.KeyOf(s.Key);
            RedisKey[] keys = [entry, tier.FenceKeyOf(s.Key), tier.FlushFenceOf(database, entry), tier.CountFenceKeyOf(s.Key)];
            s.Arguments[2] = await tier.StampAsync(database, ct).ConfigureAwait(false);
            var reply = (RedisResult[])(await database.ScriptEvaluateAsync(s.Script, keys, s.Arguments).WaitAsync(ct).ConfigureAwait(false))!;
            tier._writeClock.Observe((string?)reply[1]);
            return (long)reply[0] == 1;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs a stamped increment (<see cref="RedisCacheScripts.Increment"/>); an increment that Redis refused as late
    /// (something set, removed or flushed the key after its stamp) changed nothing, and is sent again with a new stamp,
    /// since its caller is still waiting for it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Refused as late <see cref="IncrementAttempts"/> times.</exception>
    private async ValueTask<long> StampedIncrementAsync(string key, long delta, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var sum = await RunAsync((Tier: this, Key: key, Delta: delta), static async (database, s, ct) =>
            {
                var tier = s.Tier;
                var entry = tier.KeyOf(s.Key);
                RedisKey[] keys = [entry, tier.ScratchKeyOf(s.Key), tier.FenceKeyOf(s.Key), tier.CountFenceKeyOf(s.Key), tier.FlushFenceOf(database, entry)];
                RedisValue[] arguments = [s.Delta, tier.NowMilliseconds(), await tier.StampAsync(database, ct).ConfigureAwait(false)];
                var reply = (RedisResult[])(await database.ScriptEvaluateAsync(RedisCacheScripts.Increment, keys, arguments).WaitAsync(ct).ConfigureAwait(false))!;
                tier._writeClock.Observe((string?)reply[1]);
                return (string?)reply[0];
            }, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(sum))
            {
                return long.Parse(sum, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (attempt == IncrementAttempts)
            {
                throw new InvalidOperationException(ExceptionMessages.CacheIncrementLate(_name, key, attempt));
            }
        }
    }

    /// <summary>Gets the key of the namespace's flush fence (on one server; a cluster copies it into every slot).</summary>
    internal RedisKey FlushFenceKey => _flushFenceKey;

    /// <summary>Gets the stamp a write sent now would carry (0 before any server time was seen): never older than a fence this tier's writes set.</summary>
    internal long WriteStamp() => _writeClock.Stamp();

    /// <summary>Gets the key of a cache key's count fence (in the entry's slot): the server time of its last increment, which a late set reads.</summary>
    private RedisKey CountFenceKeyOf(string key) => string.Concat(_namespace, "#counted:{", key, "}");

    /// <summary>
    /// Gets the flush fence a stamped write of <paramref name="entry"/> reads: the namespace's on one server; on a
    /// cluster, where a script reads only its entry's slot, the copy a flush writes into that slot (<see cref="FenceEverySlotAsync"/>).
    /// </summary>
    private RedisKey FlushFenceOf(IDatabase database, RedisKey entry) =>
        _topology.IsCluster(database) ? SlotFlushFence.KeyInSlotOf(database.Multiplexer, entry) : _flushFenceKey;

    private RedisSlotFence SlotFlushFence => _slotFlushFence ??= new(tag => string.Concat((string?)_flushFenceKey, ":{", tag, "}"));

    /// <summary>Copies a flush's fence (µs) into every slot of the cluster, kept as long as a late write may be checked (a minute).</summary>
    private ValueTask FenceEverySlotAsync(IDatabase database, RedisValue flushedAt, CancellationToken cancellationToken) =>
        SlotFlushFence.SetInEverySlotAsync(database, flushedAt, TimeSpan.FromMilliseconds(RedisCacheScripts.FenceLifeMilliseconds), cancellationToken);

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
