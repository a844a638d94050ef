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
    /// </summary>
    private async ValueTask BackfillAsync(object[] found, int hitTier, object?[] leases, IReadOnlyList<(WriteEpoch Epoch, long Captured)> epochs, CancellationToken cancellationToken)
    {
        if (WriteEpoch.AnyUnsafe(epochs))
        {
            return;
        }

        using var activity = StockpileTracing.Start("backfill", this);
        activity?.SetTag(StockpileTracing.BackfillSourceTag, _tiers[hitTier].Name);
        activity?.SetTag(StockpileTracing.CountTag, found.Length);
        for (var tier = hitTier - 1; tier >= 0; tier--)
        {
            try
            {
                await _tiers[tier].BackfillUntypedAsync(found, leases[tier], cancellationToken).ConfigureAwait(false);
                _metrics.Backfilled(_tiers[tier].Name, found.Length);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _metrics.Error(_tiers[tier].Name, "backfill");
                StockpileTracing.Failed(activity, ex);
                Log.BackfillFailed(_logger, _tiers[tier].Name, ex);
            }
        }

        if (WriteEpoch.AllUnchanged(epochs))
        {
            return;
        }

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
}
