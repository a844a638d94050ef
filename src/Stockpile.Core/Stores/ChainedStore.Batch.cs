using Stockpile.Internal;

namespace Stockpile;

public sealed partial class ChainedStore
{
    /// <inheritdoc/>
    /// <remarks>Each tier is asked once, for the look-ups still missing; what it finds is back-filled above it as one batch.</remarks>
    protected override async ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        var results = new object?[keys.Count];
        var pending = Enumerable.Range(0, keys.Count).ToList();
        var epochs = new Dictionary<WriteEpoch, long>();
        var leases = new object?[_tiers.Length];
        for (var tier = 0; tier < _tiers.Length && pending.Count > 0; tier++)
        {
            if (tier == 1)
            {
                foreach (var index in pending)
                {
                    var epoch = EpochOf(keys[index].EntityType);
                    epochs.TryAdd(epoch, epoch.Capture());
                }
            }

            var asked = pending.Select(i => keys[i]).ToArray();
            object?[] found;
            try
            {
                (found, leases[tier]) = await _tiers[tier].ReadManyForChainAsync(asked, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsCache(tier) && !_options.ThrowOnCacheReadFailure && ex is not OperationCanceledException)
            {
                ReadFailed(tier, ex);
                continue;
            }

            var hits = new List<object>();
            var stillMissing = new List<int>(pending.Count);
            for (var j = 0; j < asked.Length; j++)
            {
                if (found[j] is { } value && asked[j].EntityType.ClrType.IsInstanceOfType(value))
                {
                    results[pending[j]] = value;
                    hits.Add(value);
                }
                else
                {
                    stillMissing.Add(pending[j]);
                }
            }

            _metrics.Hit(_tiers[tier].Name, hits.Count);
            _metrics.Miss(_tiers[tier].Name, stillMissing.Count);
            if (tier > 0 && hits.Count > 0)
            {
                var hitEpochs = hits.Select(h => EpochOf(StockpileEntityType.For(h.GetType()))).Distinct()
                    .Select(e => (e, epochs.TryGetValue(e, out var c) ? c : -1)).ToArray();
                await BackfillAsync([.. hits], tier, leases, hitEpochs, cancellationToken).ConfigureAwait(false);
            }

            pending = stillMissing;
        }

        return results;
    }
}
