using StackExchange.Redis;
using Stockpile.Redis.Backplane;
using Stockpile.Redis.Internal;

namespace Stockpile;

public sealed partial class RedisStore
{
    /// <inheritdoc/>
    /// <remarks>
    /// With the Redis backplane on this store's connection, one server: one script deletes and then publishes the
    /// backplane's message (<see cref="RedisScripts.DeleteAndPublish"/>), so a chain's invalidation waits for one round
    /// trip instead of two, and the message still leaves only after the delete took effect. Otherwise (a cluster, whose
    /// deletes go slot by slot to several nodes; another backplane; a channel prefix on the connection; messages still
    /// waiting to be republished; Redis unavailable) the store deletes as usual and the chain publishes after it.
    /// </remarks>
    internal override async ValueTask<bool> DeleteManyAndPublishForChainAsync(IReadOnlyList<EntityKey> keys, IStockpileBackplane backplane, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (backplane is not RedisBackplane redis || !redis.PublishesThrough(_link))
        {
            await DeleteManyUntypedAsync(keys, cancellationToken).ConfigureAwait(false);
            return false;
        }

        var storageKeys = EvictionKeys(keys, out var counted);
        var call = (Store: this, Keys: storageKeys, Counted: counted, Publish: ((RedisValue)redis.ChannelName, redis.EncodeEvict(keys)));
        var received = await WriteGuardedAsync(storageKeys, call, static async (database, s, ct) =>
            (await s.Store.DeleteAsync(database, s.Keys, s.Counted, s.Publish, ct).ConfigureAwait(false)).Received, -1L, cancellationToken).ConfigureAwait(false);
        if (received < 0)
        {
            return false;
        }

        redis.Sent();
        return true;
    }
}
