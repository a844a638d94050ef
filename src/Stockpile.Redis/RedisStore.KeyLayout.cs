using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// The key layouts (<see cref="RedisKeyLayout"/>): the type in a key is its short token by default, or its full
/// canonical name. An instance reads only its own layout; with <see cref="RedisStoreOptions.EvictOtherKeyLayout"/>,
/// every put a caller asks for, delete and eviction also removes the object's keys in the other layout, so an instance
/// of the other layout (an earlier version in a rolling deployment) never keeps serving what this one changed. The
/// other layout's keys go through the delete script like any look-up: fenced (a back-fill that read them before is
/// refused), with the pointers and side record of the object they lead to. Back-fills never touch the other layout:
/// they write what the database held at their lease, and every write since then evicted both layouts.
/// </content>
public sealed partial class RedisStore
{
    private readonly bool _compactKeys;
    private readonly bool _evictOtherLayout;

    /// <summary>The canonical key of a look-up in this store's layout, or in the other one.</summary>
    private string Encode(EntityKey key, bool compact) => compact ? key.EncodeCompact(IsPolymorphic) : key.Encode(IsPolymorphic);

    /// <summary>
    /// The keys a delete by look-ups removes: their keys in this store's layout, then, with
    /// <see cref="RedisStoreOptions.EvictOtherKeyLayout"/>, their keys in the other layout where those differ. Only the
    /// first <paramref name="counted"/> count towards how many objects a delete removed.
    /// </summary>
    private string[] EvictionKeys(IReadOnlyList<EntityKey> keys, out int counted)
    {
        counted = keys.Count;
        var result = new List<string>(_evictOtherLayout ? keys.Count * 2 : keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            result.Add(StorageKey(keys[i]));
        }

        if (_evictOtherLayout)
        {
            for (var i = 0; i < keys.Count; i++)
            {
                var other = RedisKeyPatterns.ObjectKey(KeyPrefix, Encode(keys[i], !_compactKeys));
                if (other != result[i])
                {
                    result.Add(other);
                }
            }
        }

        return [.. result];
    }

    /// <summary>
    /// The keys, in the other layout, of objects a caller puts (each object's primary key and the alternate keys it has
    /// a value for, where they differ from this layout's): removed alongside the put. <see langword="null"/> when there
    /// are none, or <see cref="RedisStoreOptions.EvictOtherKeyLayout"/> is off.
    /// </summary>
    private string[]? OtherLayoutKeys(IReadOnlyList<object> items)
    {
        if (!_evictOtherLayout)
        {
            return null;
        }

        List<string>? keys = null;
        foreach (var item in items)
        {
            var entityType = StockpileEntityType.For(item.GetType());
            foreach (var key in entityType.Keys)
            {
                if (EntityKey.FromEntity(entityType, key, item) is { } lookup
                    && Encode(lookup, !_compactKeys) is var other
                    && other != Encode(lookup, _compactKeys))
                {
                    (keys ??= []).Add(RedisKeyPatterns.ObjectKey(KeyPrefix, other));
                }
            }
        }

        return keys?.ToArray();
    }

    /// <summary>
    /// Awaits a put whose object's keys in the other layout are removed by a delete script sent right behind it (one
    /// round trip on one server); the delete is awaited even when the put fails, and its failure is the put's.
    /// </summary>
    private static async ValueTask<T> WithEvictionBehindAsync<T, TEvicted>(ValueTask<T> put, ValueTask<TEvicted> evict)
    {
        try
        {
            return await put.ConfigureAwait(false);
        }
        finally
        {
            await evict.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the other layout's keys of an object a caller puts by the hot path, as <see cref="OtherLayoutKeys"/>
    /// makes them; <see langword="true"/> with <see langword="null"/> when there are none to remove (the option is off,
    /// or the type's keys are the same in both layouts); <see langword="false"/> when a key is not one the hot path
    /// writes.
    /// </summary>
    private bool TryWriteOtherLayoutKeys(StockpileEntityType entityType, object item, RedisKey[] keys, out RedisKey[]? others)
    {
        others = null;
        if (!_evictOtherLayout)
        {
            return true;
        }

        if (!TryWriteObjectKeys(entityType, item, !_compactKeys, out var written))
        {
            return false;
        }

        // Both layouts write the same keys in the same order (the keys the object has a value for); in a polymorphic
        // store the keys of one object may name different types, a pinned one the same in both layouts.
        List<RedisKey>? differing = null;
        for (var i = 0; i < written.Length; i++)
        {
            if (!((byte[])written[i]!).AsSpan().SequenceEqual((byte[])keys[i]!))
            {
                (differing ??= []).Add(written[i]);
            }
        }

        others = differing?.ToArray();
        return true;
    }
}
