using Stockpile.Internal.KeyValue;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

public sealed partial class RedisStore
{
    // What a put's call returns when it is skipped (or ran slot by slot): nobody reads it.
    private static readonly RedisResult s_skipped = RedisResult.Create(RedisValue.Null);

    private static readonly RedisValue[] s_deleteArguments = [RedisScripts.SideRecordSuffix, RedisScripts.FenceSuffix, RedisScripts.FenceMilliseconds];

    /// <inheritdoc/>
    /// <remarks>
    /// One script call: old pointers, the object that held a new alternate key, value, pointers and side record change
    /// together, and every key it touches is fenced (a back-fill that read before it is refused; see the remarks on
    /// leases). A put is always written: only a chain's back-fill can be refused.
    /// </remarks>
    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        ArgumentNullException.ThrowIfNull(item);
        return PutObjectsAsync([item], string.Empty, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One script call for the whole batch; every object is serialized before anything is sent.</remarks>
    protected override ValueTask PutManyCoreAsync(IReadOnlyList<object> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return PutObjectsAsync(items, string.Empty, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One script call; a look-up by an alternate key the object no longer holds removes only the stale pointer.</remarks>
    protected override async ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return await DeleteStorageKeysAsync([StorageKey(key)], cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    /// <remarks>One script call for the whole batch.</remarks>
    protected override ValueTask<int> DeleteManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return DeleteStorageKeysAsync(keys.Select(StorageKey).ToArray(), cancellationToken);
    }

    /// <summary>Puts objects (<paramref name="lease"/> empty), or back-fills them with the lease of the read they follow.</summary>
    private async ValueTask PutObjectsAsync(IReadOnlyList<object> items, string lease, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();

        // Serialize and check sizes first: a failure must leave the store as it was, and send nothing.
        var keys = new List<string>(items.Count * 2);
        var arguments = new List<RedisValue>((items.Count * 3) + 5)
        {
            RedisScripts.SideRecordSuffix, RedisScripts.FenceSuffix, RedisScripts.FenceMilliseconds, lease, ClearFenceKey,
        };
        var primaries = new string[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var entityType = StockpileEntityType.For(item.GetType());
            var value = StoredPayload.Value(item, Serializer);
            if (value.Length > _maximumValueBytes)
            {
                throw ValueTooLarge(entityType, EntityKey.FromEntity(item), value.Length);
            }

            primaries[i] = StorageKey(EntityKey.FromEntity(item));
            keys.Add(primaries[i]);
            var before = keys.Count;
            for (var k = 1; k < entityType.Keys.Count; k++)
            {
                if (EntityKey.FromEntity(entityType, entityType.Keys[k], item) is { } alternate)
                {
                    keys.Add(StorageKey(alternate));
                }
            }

            arguments.Add(keys.Count - before);
            arguments.Add(value);
            arguments.Add(TimeToLive(item) switch
            {
                null => 0L,
                { } ttl when ttl <= TimeSpan.Zero => -1L,
                { } ttl => Milliseconds(ttl),
            });
        }

        var tagged = CollectTags(items, primaries);

        // The single-server call hands the script's task straight back (no async state machine of its own on the hot path).
        await WriteGuardedAsync(primaries, (Store: this, Keys: keys, Arguments: arguments.ToArray()), static (database, script, ct) =>
            script.Store.IsCluster(database)
                ? OnClusterAsync(script.Store, database, script.Keys, script.Arguments, ct)
                : RedisScripts.Put.EvaluateAsync(database, Keys(script.Keys), script.Arguments, ct),
            s_skipped, cancellationToken).ConfigureAwait(false);
        if (tagged is not null)
        {
            await IndexTagsAsync(tagged, primaries, cancellationToken).ConfigureAwait(false);
        }

        static async ValueTask<RedisResult> OnClusterAsync(RedisStore store, IDatabase database, List<string> keys, RedisValue[] arguments, CancellationToken ct)
        {
            await store.PutOnClusterAsync(database, keys, arguments, ct).ConfigureAwait(false);
            return s_skipped;
        }
    }

    /// <summary>Logs and builds the refusal of a value Redis would choke on (or close the shared connection over).</summary>
    private RedisValueTooLargeException ValueTooLarge(StockpileEntityType entityType, EntityKey key, long size)
    {
        Redis.Log.ValueTooLarge(Logger, Name, entityType.ClrType.Name, size, _maximumValueBytes);
        return new RedisValueTooLargeException(Name, entityType.ClrType, key, size, _maximumValueBytes);
    }

    /// <summary>Deletes objects by look-ups (full keys), with their pointers and side records; returns how many were there.</summary>
    private ValueTask<int> DeleteStorageKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        WriteGuardedAsync(keys, (Store: this, Keys: keys), static async (database, s, ct) => await s.Store.DeleteAsync(database, s.Keys, ct).ConfigureAwait(false), 0, cancellationToken);

    /// <summary>Deletes objects by look-ups in one script, or slot by slot on a cluster; returns how many were there.</summary>
    private async ValueTask<int> DeleteAsync(IDatabase database, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        IsCluster(database)
            ? await DeleteOnClusterAsync(database, keys, cancellationToken).ConfigureAwait(false)
            : (int)await RedisScripts.Delete.EvaluateAsync(database, Keys(keys), s_deleteArguments, cancellationToken).ConfigureAwait(false);

    /// <summary>The storage keys as Redis keys: their UTF-8 bytes (well-formed, see <see cref="StorageKey"/>).</summary>
    private static RedisKey[] Keys(IReadOnlyList<string> keys)
    {
        var result = new RedisKey[keys.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = keys[i];
        }

        return result;
    }
}
