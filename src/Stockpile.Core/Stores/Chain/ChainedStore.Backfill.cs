using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Stockpile.Internal;

namespace Stockpile;

public sealed partial class ChainedStore
{
    /// <summary>
    /// Writes objects found in tier <paramref name="hitTier"/> into every tier above it, nearest first. When a write to
    /// one of their types ran while they were read, the back-fill is skipped or undone: what was read may be older than
    /// what that write left, and a cache must not keep it. Each tier gets back the lease its own read returned
    /// (<paramref name="leases"/>, by tier): what guards it against other instances' writes is the tier's business.
    /// A shared tier whose read returned a lease (Redis) is back-filled after this returns (<see cref="IsDeferred"/>).
    /// <paramref name="leases"/> is <see langword="null"/> when no tier above returned one (a read served from Redis
    /// below a memory tier: no array per read).
    /// </summary>
    private async ValueTask BackfillAsync(object[] found, int hitTier, object?[]? leases, IReadOnlyList<(WriteEpoch Epoch, long Captured)> epochs, CancellationToken cancellationToken)
    {
        if (WriteEpoch.AnyUnsafe(epochs))
        {
            return;
        }

        for (var tier = hitTier - 1; tier >= 0; tier--)
        {
            if (IsDeferred(tier, leases))
            {
                // Started first, nearest first as before; the caller does not wait for it. Its span is a sibling of the
                // span below, both children of the read's.
                BackfillInBackground(found, hitTier, leases, epochs);
                break;
            }
        }

        using var activity = StockpileTracing.Start("backfill", this);
        activity?.SetTag(StockpileTracing.BackfillSourceTag, _tiers[hitTier].Name);
        activity?.SetTag(StockpileTracing.CountTag, found.Length);
        for (var tier = hitTier - 1; tier >= 0; tier--)
        {
            if (IsDeferred(tier, leases))
            {
                continue;
            }

            try
            {
                await _tiers[tier].BackfillUntypedAsync(found, leases?[tier], cancellationToken).ConfigureAwait(false);
                _metrics.Backfilled(_tiers[tier].Name, found.Length);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                BackfillFailed(tier, activity, ex);
            }
        }

        if (!WriteEpoch.AllUnchanged(epochs))
        {
            await UndoBackfillAsync(found, hitTier, tier => !IsDeferred(tier, leases), epochs).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether a tier is back-filled after the caller has its answer: a tier shared with other instances whose read
    /// returned a lease, which its back-fill is checked against. Every write of any instance fences the keys it touches
    /// in that tier, so a back-fill that lands after a write (of this process or another) is refused there, however
    /// late it runs; a process-local tier (memory) has no lease and is back-filled before the caller is answered.
    /// </summary>
    private bool IsDeferred(int tier, [NotNullWhen(true)] object?[]? leases) =>
        _options.BackfillSharedTiersInBackground && leases?[tier] is not null && !_tiers[tier].IsProcessLocal;

    /// <summary>
    /// Back-fills the deferred tiers (<see cref="IsDeferred"/>) in the background, nearest first, then undoes that
    /// back-fill when a removal by tag of one of the types began since the read (checked once it has landed): the
    /// removal cannot fence an object the tier does not hold yet. Any other write is one the lease already guards (it
    /// fenced every key it touched, so a back-fill read before it was refused), and is not undone for: a write of the
    /// row right after the read would otherwise lose its newer value from the tier. Counted in <see cref="_background"/> (which
    /// <see cref="SettleAsync"/> waits for) and in <c>stockpile.background.pending</c>; a failure is logged and counted
    /// as any failed back-fill, never thrown (nobody waits for it).
    /// </summary>
    private void BackfillInBackground(object[] found, int hitTier, object?[] leases, IReadOnlyList<(WriteEpoch Epoch, long Captured)> epochs)
    {
        _background.Begin();
        _metrics.Background(Name, 1);

        // Started here, not on the thread pool: the script call is sent before the caller goes on (so before its next
        // command), and a thread-pool hop measured no faster on a busy machine (docs/benchmarks.md, item 3).
        _ = RunAsync();

        async Task RunAsync()
        {
            try
            {
                using var activity = StockpileTracing.Start("backfill", this);
                activity?.SetTag(StockpileTracing.BackfillSourceTag, _tiers[hitTier].Name);
                activity?.SetTag(StockpileTracing.CountTag, found.Length);
                for (var tier = hitTier - 1; tier >= 0; tier--)
                {
                    if (!IsDeferred(tier, leases))
                    {
                        continue;
                    }

                    try
                    {
                        await _tiers[tier].BackfillUntypedAsync(found, leases[tier], CancellationToken.None).ConfigureAwait(false);
                        _metrics.Backfilled(_tiers[tier].Name, found.Length);
                    }
                    catch (Exception ex)
                    {
                        BackfillFailed(tier, activity, ex);
                    }
                }

                // Only a removal by tag: a put, delete or clear of the object (this process's or another's) fenced its
                // keys after the lease, so the back-fill was refused; undoing it would evict that write's newer value.
                if (WriteEpoch.AnyUnkeyedSince(epochs))
                {
                    await UndoBackfillAsync(found, hitTier, tier => IsDeferred(tier, leases), epochs).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                // Nothing above throws by design; should something, it is still logged, never lost.
                Log.BackfillFailed(_logger, Name, ex);
            }
            finally
            {
                _metrics.Background(Name, -1);
                _background.End();
            }
        }
    }

    /// <summary>
    /// Undoes a back-fill that a write raced, in the tiers above <paramref name="hitTier"/> that <paramref name="undone"/> names, top first.
    /// </summary>
    private async ValueTask UndoBackfillAsync(object[] found, int hitTier, Func<int, bool> undone, IReadOnlyList<(WriteEpoch Epoch, long Captured)> epochs)
    {
        var keys = found.Select(EntityKey.FromEntity).ToArray();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            foreach (var key in keys)
            {
                Log.BackfillUndone(_logger, key.Encode());
            }
        }

        // The undo is a write like any other: until it has reached every tier, the older state sits in some of them,
        // and another reader that finds it there must not back-fill it (nor keep what it back-filled meanwhile).
        await GuardedAsync(epochs.Select(static e => e.Epoch).Distinct().ToArray(), async () =>
        {
            for (var tier = 0; tier < hitTier; tier++)
            {
                if (!undone(tier))
                {
                    continue;
                }

                try
                {
                    await _tiers[tier].DeleteManyUntypedAsync(keys, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    _metrics.Error(_tiers[tier].Name, "backfill");
                    Log.BackfillFailed(_logger, _tiers[tier].Name, ex);
                }
            }

            return true;
        }).ConfigureAwait(false);
    }

    private void BackfillFailed(int tier, System.Diagnostics.Activity? activity, Exception exception)
    {
        _metrics.Error(_tiers[tier].Name, "backfill");
        StockpileTracing.Failed(activity, exception);
        Log.BackfillFailed(_logger, _tiers[tier].Name, exception);
    }
}
