using System.Runtime.CompilerServices;
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
        var publish = ((RedisValue)redis.ChannelName, redis.EncodeEvict(keys));
        var call = (Store: this, Keys: storageKeys, Counted: counted, Publish: publish);
        var received = TryEnterDirect(out var connected) && !IsCluster(connected)
            ? await DeleteAndPublishDirectAsync(connected, storageKeys, counted, publish, cancellationToken).ConfigureAwait(false)
            : await WriteGuardedAsync(storageKeys, call, static async (database, s, ct) =>
                (await s.Store.DeleteAsync(database, s.Keys, s.Counted, s.Publish, ct).ConfigureAwait(false)).Received, -1L, cancellationToken).ConfigureAwait(false);
        if (received < 0)
        {
            return false;
        }

        redis.Sent();
        return true;
    }

    /// <summary>
    /// The delete-and-publish script sent to the database directly while the circuit is closed (as a put's hot path
    /// is, <c>RedisStore.DirectPut.cs</c>): no async method of Polly's or the link's between the commit and the
    /// message, and on the reply's way back. Its outcome goes to the breaker, and a failure is skipped or thrown, as
    /// <see cref="WriteGuardedAsync"/> does for the general path.
    /// </summary>
    /// <returns>How many subscribers received the message; -1 when it was not published (the caller publishes).</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> DeleteAndPublishDirectAsync(IDatabase database, string[] keys, int counted, (RedisValue Channel, byte[] Message) publish, CancellationToken cancellationToken)
    {
        long received;
        try
        {
            received = (await DeleteAsync(database, keys, counted, publish, cancellationToken).ConfigureAwait(false)).Received;
        }
        catch (Exception ex)
        {
            await _link.Breaker.ReportDirectAsync(ex).ConfigureAwait(false);
            if (!SkipsFailedWrite(keys, ex))
            {
                throw;
            }

            return -1;
        }

        await _link.Breaker.ReportDirectAsync(null).ConfigureAwait(false);
        return received;
    }
}
