using Stockpile.Internal.KeyValue;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

public sealed partial class RedisStore
{
    /// <inheritdoc/>
    /// <remarks>
    /// One script call: old pointers, the object that held a new alternate key, value, pointers and side record change
    /// together, and every key it touches is fenced (a back-fill that read before it is refused; see the remarks on
    /// leases). A put carries the server time it is sent at (<see cref="RedisWriteClock"/>): one that reached the server
    /// more than <see cref="RedisScripts.LatePutMilliseconds"/> later (its bytes sat on a socket given up on) evicts its
    /// object instead when a key of it was fenced, or the store cleared, since it was sent.
    /// </remarks>
    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        ArgumentNullException.ThrowIfNull(item);
        return TryPutDirect(entityType, item, cancellationToken, out var put) ? put : PutObjectsAsync([item], string.Empty, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One script call for the whole batch; every object is serialized before anything is sent.</remarks>
    protected override ValueTask PutManyCoreAsync(IReadOnlyList<object> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return PutObjectsAsync(items, string.Empty, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One script call; a look-up by an alternate key the object no longer holds removes only the stale pointer. With
    /// <see cref="RedisStoreOptions.EvictOtherKeyLayout"/>, the look-up's key in the other layout goes in the same call.
    /// </remarks>
    protected override async ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keys = EvictionKeys([key], out var counted);
        return await DeleteStorageKeysAsync(keys, counted, cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    /// <remarks>One script call for the whole batch (with the other layout's keys, as for one).</remarks>
    protected override ValueTask<int> DeleteManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var storageKeys = EvictionKeys(keys, out var counted);
        return DeleteStorageKeysAsync(storageKeys, counted, cancellationToken);
    }

    /// <summary>Puts objects (<paramref name="lease"/> empty), or back-fills them with the lease of the read they follow.</summary>
    /// <remarks>
    /// Serializes and checks every object before anything is sent (a failure leaves the store as it was), then makes
    /// one script call; the keys and arguments are built straight into the arrays the call sends.
    /// </remarks>
    private async ValueTask PutObjectsAsync(IReadOnlyList<object> items, string lease, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var put = PreparePut(items, lease);
        var tagged = CollectTags(items, put.Primaries);

        // A put a caller asks for removes the objects' keys in the other layout too; a back-fill never does (see RedisStore.KeyLayout.cs).
        var others = lease.Length == 0 ? OtherLayoutKeys(items) : null;
        try
        {
            await RunAsync((Put: put, Others: others), static (database, s, ct) =>
            {
                var write = s.Put.Store.SendPutAsync(database, s.Put, ct);
                return s.Others is null ? write : WithEvictionBehindAsync(write, s.Put.Store.DeleteAsync(database, s.Others, 0, ct));
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Redis unavailable: skipped, its keys recorded for the clean-up (which removes them, so nothing to index).
            if (!SkipsFailedWrite(others is null ? put.Primaries : [.. put.Primaries, .. others], ex, items))
            {
                throw;
            }

            return;
        }

        if (tagged is not null)
        {
            await IndexTagsAsync(tagged, put.Primaries, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends a prepared put or back-fill: a put is stamped now, once the call is through the breaker and the clean-up
    /// (see <see cref="RedisWriteClock"/>), and the server time the script returns is taken in.
    /// </summary>
    private async ValueTask<bool> SendPutAsync(IDatabase database, PreparedPut put, CancellationToken cancellationToken)
    {
        if (put.Stamped)
        {
            put.Arguments[2] = _writeClock.Stamp();
        }

        if (IsCluster(database))
        {
            await PutOnClusterAsync(database, put.Keys, put.Arguments, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _writeClock.Observe((long)await RedisScripts.Put.EvaluateAsync(database, put.Keys, put.Arguments, cancellationToken).ConfigureAwait(false));
        }

        return true;
    }

    /// <summary>Builds the keys and arguments of <see cref="RedisScripts.Put"/> for objects: per object its primary key then its alternate keys; the lease, the key prefix, the stamp (set when sent), then per object its alternate key count, value and time to live.</summary>
    private PreparedPut PreparePut(IReadOnlyList<object> items, string lease)
    {
        var keyCount = 0;
        for (var i = 0; i < items.Count; i++)
        {
            keyCount += StockpileEntityType.For(items[i].GetType()).Keys.Count;
        }

        var keys = new RedisKey[keyCount];
        var arguments = new RedisValue[3 + (items.Count * 3)];
        arguments[0] = lease;
        arguments[1] = KeyPrefix;
        arguments[2] = string.Empty;
        var primaries = new string[items.Count];
        var k = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var entityType = StockpileEntityType.For(item.GetType());
            var primaryKey = EntityKey.FromEntity(item);
            var value = StoredPayload.Value(item, Serializer);
            if (value.Length > _maximumValueBytes)
            {
                throw ValueTooLarge(entityType, primaryKey, value.Length);
            }

            primaries[i] = StorageKey(primaryKey);
            keys[k++] = primaries[i];
            var before = k;
            for (var a = 1; a < entityType.Keys.Count; a++)
            {
                if (EntityKey.FromEntity(entityType, entityType.Keys[a], item) is { } alternate)
                {
                    keys[k++] = StorageKey(alternate);
                }
            }

            var arg = 3 + (i * 3);
            arguments[arg] = k - before;
            arguments[arg + 1] = value;
            arguments[arg + 2] = TimeToLiveArgument(item);
        }

        if (k < keys.Length)
        {
            // An alternate key whose value is null files nothing.
            Array.Resize(ref keys, k);
        }

        return new PreparedPut(this, primaries, keys, arguments, Stamped: lease.Length == 0);
    }

    /// <summary>A put's script call, ready to send (see <see cref="PreparePut"/>); a put (not a back-fill) is <paramref name="Stamped"/> when sent.</summary>
    private sealed record PreparedPut(RedisStore Store, string[] Primaries, RedisKey[] Keys, RedisValue[] Arguments, bool Stamped);

    /// <summary>Logs and builds the refusal of a value Redis would choke on (or close the shared connection over).</summary>
    private RedisValueTooLargeException ValueTooLarge(StockpileEntityType entityType, EntityKey key, long size)
    {
        Redis.Log.ValueTooLarge(Logger, Name, entityType.ClrType.Name, size, _maximumValueBytes);
        return new RedisValueTooLargeException(Name, entityType.ClrType, key, size, _maximumValueBytes);
    }

    /// <summary>Deletes objects by look-ups (full keys), with their pointers and side records; returns how many the first <paramref name="counted"/> look-ups removed.</summary>
    private ValueTask<int> DeleteStorageKeysAsync(IReadOnlyList<string> keys, int counted, CancellationToken cancellationToken) =>
        WriteGuardedAsync(keys, (Store: this, Keys: keys, Counted: counted), static async (database, s, ct) => await s.Store.DeleteAsync(database, s.Keys, s.Counted, ct).ConfigureAwait(false), 0, cancellationToken);

    /// <summary>Deletes objects by look-ups in one script, or slot by slot on a cluster; returns how many the first <paramref name="counted"/> look-ups removed.</summary>
    private async ValueTask<int> DeleteAsync(IDatabase database, IReadOnlyList<string> keys, int counted, CancellationToken cancellationToken) =>
        (await DeleteAsync(database, keys, counted, publish: null, cancellationToken).ConfigureAwait(false)).Removed;

    /// <summary>
    /// The one place a delete chooses its path: slot by slot on a cluster; otherwise one script, which publishes
    /// <paramref name="publish"/> after the delete when one is given (<see cref="RedisScripts.DeleteAndPublish"/>).
    /// </summary>
    /// <returns>
    /// How many objects the first <paramref name="counted"/> look-ups removed, and how many subscribers received the
    /// message: negative when it was not published (none given, a cluster, or the server refused the channel), for
    /// the caller to publish it.
    /// </returns>
    private async ValueTask<(int Removed, long Received)> DeleteAsync(IDatabase database, IReadOnlyList<string> keys, int counted, (RedisValue Channel, byte[] Message)? publish, CancellationToken cancellationToken)
    {
        if (IsCluster(database))
        {
            return (await DeleteOnClusterAsync(database, keys, counted, cancellationToken).ConfigureAwait(false), -1);
        }

        if (publish is not { } message)
        {
            return (await DeleteOnServerAsync(database, Keys(keys), counted, cancellationToken).ConfigureAwait(false), -1);
        }

        var published = (RedisResult[])(await RedisScripts.DeleteAndPublish.EvaluateAsync(database, Keys(keys), [KeyPrefix, message.Channel, message.Message, counted], cancellationToken).ConfigureAwait(false))!;
        _writeClock.Observe((string?)published[2]);
        return ((int)published[0], (long)published[1]);
    }

    /// <summary>Runs <see cref="RedisScripts.Delete"/> on one server and takes in the fences' time it returns; returns how many objects the first <paramref name="counted"/> look-ups removed.</summary>
    private async ValueTask<int> DeleteOnServerAsync(IDatabase database, RedisKey[] keys, int counted, CancellationToken cancellationToken)
    {
        var reply = (RedisResult[])(await RedisScripts.Delete.EvaluateAsync(database, keys, [KeyPrefix, counted], cancellationToken).ConfigureAwait(false))!;
        _writeClock.Observe((string?)reply[1]);
        return (int)reply[0];
    }

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
