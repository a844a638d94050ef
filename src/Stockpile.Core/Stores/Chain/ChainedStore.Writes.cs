using System.Runtime.ExceptionServices;
using Stockpile.Internal;

namespace Stockpile;

public sealed partial class ChainedStore
{
    /// <inheritdoc/>
    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken) =>
        WriteAsync([entityType], [item], cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask PutManyCoreAsync(IReadOnlyList<object> items, CancellationToken cancellationToken) =>
        WriteAsync(items.Select(static i => StockpileEntityType.For(i.GetType())).Distinct().ToArray(), items, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
        DeleteThroughAsync([key], static (tier, keys, write, ct) => Single(tier.DeleteForChainAsync(keys[0], write, ct)), cancellationToken);

    /// <inheritdoc/>
    protected override async ValueTask<int> DeleteManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        var deleted = 0;
        await DeleteThroughAsync(keys, async (tier, batch, write, ct) =>
        {
            var count = await tier.DeleteManyForChainAsync(batch, write, ct).ConfigureAwait(false);
            deleted = Math.Max(deleted, count);
            return count > 0;
        }, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <inheritdoc/>
    /// <remarks>Clears the cache tiers only; the source of truth is never cleared.</remarks>
    protected override async ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken)
    {
        var epochs = entityType is null ? _epochs.Values.ToArray() : [EpochOf(entityType)];
        await GuardedAsync(epochs, async () =>
        {
            await ForEachCacheTierAsync(tier => tier.ClearUntypedAsync(entityType, cancellationToken)).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    /// <summary>Writes through every tier, unobserved (see <c>ChainedStore.Diagnostics.cs</c>).</summary>
    private async ValueTask WriteTiersAsync(IReadOnlyList<StockpileEntityType> types, IReadOnlyList<object> items, CancellationToken cancellationToken)
    {
        var keys = items.Select(EntityKey.FromEntity).ToArray();
        var written = false;
        var evictOnly = StockpileCaching.IsDisabled;
        var write = new ChainWrite();
        var epochs = types.Select(EpochOf).Distinct().ToArray();
        await WaitForSharedEvictionsAsync(epochs, cancellationToken).ConfigureAwait(false);
        await PublishingAsync(keys, () => GuardedAsync(epochs, async overlapped =>
        {
            for (var tier = _tiers.Length - 1; tier >= 0; tier--)
            {
                try
                {
                    // A flow with caching disabled writes the source of truth and evicts the caches above it, so
                    // they never keep a state older than the database.
                    if (evictOnly && tier < _tiers.Length - 1)
                    {
                        await _tiers[tier].DeleteManyUntypedAsync(keys, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await _tiers[tier].PutForChainAsync(items, write, cancellationToken).ConfigureAwait(false);
                    }

                    written = true;
                }
                catch (Exception ex)
                {
                    _metrics.Error(_tiers[tier].Name, "put");

                    // The tiers above still hold the previous state, which the tiers below may no longer have: drop it.
                    // So may the failed tier itself, when it is a cache (a failed write leaves the old object in place),
                    // and a read would back-fill it upward again; the source of truth is left alone.
                    var lastToPurge = IsCache(tier) ? tier : tier - 1;
                    for (var purged = 0; purged <= lastToPurge; purged++)
                    {
                        try
                        {
                            await _tiers[purged].DeleteManyUntypedAsync(keys, CancellationToken.None).ConfigureAwait(false);
                        }
                        catch (Exception cleanup)
                        {
                            Log.TierDeleteFailed(_logger, _tiers[purged].Name, cleanup);
                        }
                    }

                    ExceptionDispatchInfo.Capture(ex).Throw();
                }
            }

            // Two puts of one object can reach the source of truth in one order and a cache in the other, leaving the
            // older state cached. When another write of these types overlapped this one, drop what this one cached:
            // each overlapping writer does the same after its own writes, so the next read fills from the source of truth.
            // The bottom tier keeps its state: the order it took the writes in is what "latest" means.
            if (overlapped())
            {
                for (var tier = _tiers.Length - 2; tier >= 0; tier--)
                {
                    await _tiers[tier].DeleteManyUntypedAsync(keys, CancellationToken.None).ConfigureAwait(false);
                }
            }

            return true;
        }), () => written, cancellationToken).ConfigureAwait(false);
        await SettleWriteAsync(write).ConfigureAwait(false);
    }

    /// <summary>Deletes from every tier, unobserved (see <c>ChainedStore.Diagnostics.cs</c>).</summary>
    private async ValueTask<bool> DeleteTiersAsync(IReadOnlyList<EntityKey> keys, Func<ObjectStore, IReadOnlyList<EntityKey>, ChainWrite, CancellationToken, ValueTask<bool>> delete, CancellationToken cancellationToken)
    {
        var write = new ChainWrite();
        var deleted = await PublishingAsync(keys, () => GuardedAsync(keys.Select(k => EpochOf(k.EntityType)).Distinct().ToArray(), async () =>
        {
            var any = false;
            var errors = new List<Exception>();
            OperationCanceledException? cancelled = null;
            var token = cancellationToken;
            for (var tier = _tiers.Length - 1; tier >= 0; tier--)
            {
                try
                {
                    any |= await delete(_tiers[tier], keys, write, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (token.IsCancellationRequested)
                {
                    // The tier below may have deleted before it saw the cancellation: the caches above still evict,
                    // and the caller gets the cancellation, as from any other cancelled call.
                    cancelled = ex;
                    token = CancellationToken.None;
                }
                catch (Exception ex)
                {
                    _metrics.Error(_tiers[tier].Name, "delete");
                    Log.TierDeleteFailed(_logger, _tiers[tier].Name, ex);
                    errors.Add(ex);
                }
            }

            if (cancelled is not null)
            {
                ExceptionDispatchInfo.Capture(cancelled).Throw();
            }

            ThrowIfAny(errors);
            return any;
        }), static () => true, cancellationToken).ConfigureAwait(false);
        await SettleWriteAsync(write).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>
    /// Makes a change, then tells other instances to evict the keys, unless <paramref name="published"/> says a tier
    /// already sent the message with its part of the change. A change that failed part-way is published too when
    /// <paramref name="changedAnything"/> says some tier took it: other instances' local copies are stale all the same.
    /// </summary>
    private async ValueTask<T> PublishingAsync<T>(IReadOnlyList<EntityKey> keys, Func<ValueTask<T>> change, Func<bool> changedAnything, CancellationToken cancellationToken, Func<bool>? published = null)
    {
        T result;
        try
        {
            result = await change().ConfigureAwait(false);
        }
        catch (Exception) when (changedAnything())
        {
            await PublishEvictAsync(keys, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await PublishEvictAsync(keys, cancellationToken, published?.Invoke() == true).ConfigureAwait(false);
        return result;
    }

    private async ValueTask ForEachCacheTierAsync(Func<ObjectStore, ValueTask> action)
    {
        var errors = new List<Exception>();
        for (var tier = _tiers.Length - 1; tier >= 0; tier--)
        {
            if (!IsCache(tier))
            {
                continue;
            }

            try
            {
                await action(_tiers[tier]).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _metrics.Error(_tiers[tier].Name, "delete");
                Log.TierDeleteFailed(_logger, _tiers[tier].Name, ex);
                errors.Add(ex);
            }
        }

        ThrowIfAny(errors);
    }

    private static ValueTask<bool> GuardedAsync(IReadOnlyList<WriteEpoch> epochs, Func<ValueTask<bool>> write, bool unkeyed = false) =>
        GuardedAsync(epochs, _ => write(), unkeyed);

    /// <summary>
    /// Runs a write with its types' epochs begun, so racing reads do not back-fill; tells the write whether another
    /// overlapped it. <paramref name="unkeyed"/>: the write names no keys (a removal by tag), so a shared tier's lease
    /// cannot refuse a back-fill it raced, which is then undone there too (see <c>ChainedStore.Backfill.cs</c>).
    /// </summary>
    private static async ValueTask<bool> GuardedAsync(IReadOnlyList<WriteEpoch> epochs, Func<Func<bool>, ValueTask<bool>> write, bool unkeyed = false)
    {
        var tickets = new long[epochs.Count];
        for (var i = 0; i < tickets.Length; i++)
        {
            tickets[i] = unkeyed ? epochs[i].BeginUnkeyed() : epochs[i].Begin();
        }

        try
        {
            return await write(() => !epochs.Select((e, i) => e.RanAlone(tickets[i])).All(static alone => alone)).ConfigureAwait(false);
        }
        finally
        {
            foreach (var epoch in epochs)
            {
                epoch.End();
            }
        }
    }

    private static void ThrowIfAny(List<Exception> errors)
    {
        if (errors.Count == 1)
        {
            ExceptionDispatchInfo.Capture(errors[0]).Throw();
        }

        if (errors.Count > 1)
        {
            throw new AggregateException("Several Stockpile tiers failed to delete.", errors);
        }
    }

    private static async ValueTask<bool> Single(ValueTask<bool> pending) => await pending.ConfigureAwait(false);
}
