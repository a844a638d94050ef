using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile;

public sealed partial class RedisStore
{
    private static readonly RedisArgument[] s_deleteArguments = [RedisScripts.SideRecordSuffix, RedisScripts.FenceSuffix, RedisScripts.FenceMilliseconds];

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
        // Serialize first: a failure must leave the store as it was.
        var keys = new List<string>(items.Count * 2);
        var arguments = new List<RedisArgument>((items.Count * 3) + 5)
        {
            RedisScripts.SideRecordSuffix, RedisScripts.FenceSuffix, RedisScripts.FenceMilliseconds, lease, ClearFenceKey,
        };
        var primaries = new string[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var entityType = StockpileEntityType.For(item.GetType());
            var value = StoredPayload.Value(item, Serializer);
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

        await WriteGuardedAsync(primaries, (keys, arguments), static async (connection, script, ct) =>
        {
            await RedisScripts.Put.EvaluateAsync(connection, script.keys, script.arguments, ct).ConfigureAwait(false);
            return true;
        }, false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes objects by look-ups (full keys), with their pointers and side records; returns how many were there.</summary>
    private ValueTask<int> DeleteStorageKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        WriteGuardedAsync(keys, keys, static async (connection, keys, ct) =>
            (int)(await RedisScripts.Delete.EvaluateAsync(connection, keys, s_deleteArguments, ct).ConfigureAwait(false)).AsInt64(),
            0, cancellationToken);
}
