using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>
/// One fence copied into every slot of a Redis Cluster, as a script reads only keys of its own slot: the store's clear
/// fence (<see cref="RedisKeyPatterns.SlotClearFenceKey"/>) and the cache's flush fence each keep one key per slot,
/// named by the slot's hash tag (<see cref="RedisSlotTags"/>). The clear or flush writes every copy; a late write reads
/// the copy in its key's slot.
/// </summary>
/// <param name="keyOfTag">Names the fence's copy in the slot of a hash tag.</param>
internal sealed class RedisSlotFence(Func<string, string> keyOfTag)
{
    // The copies' names, slot by slot, made when first asked for.
    private string?[]? _keys;

    /// <summary>Gets the name of the copy in the slot of <paramref name="key"/>.</summary>
    public string KeyInSlotOf(IConnectionMultiplexer multiplexer, RedisKey key)
    {
        var keys = _keys ??= new string?[RedisSlotTags.SlotCount];
        var slot = multiplexer.HashSlot(key);
        return keys[slot] ??= keyOfTag(RedisSlotTags.Get(multiplexer)[slot]);
    }

    /// <summary>Writes <paramref name="value"/> into the copy of every slot (16,384 pipelined <c>SET</c>s), each kept for <paramref name="life"/>.</summary>
    public async ValueTask SetInEverySlotAsync(IDatabase database, RedisValue value, TimeSpan life, CancellationToken cancellationToken)
    {
        var tags = RedisSlotTags.Get(database.Multiplexer);
        var sets = new Task[tags.Length];
        for (var slot = 0; slot < tags.Length; slot++)
        {
            sets[slot] = database.StringSetAsync(keyOfTag(tags[slot]), value, life);
        }

        await Task.WhenAll(sets).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
