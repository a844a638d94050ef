using Stockpile.Internal;

namespace Stockpile;

public sealed partial class ChainedStore
{
    /// <summary>Reads a batch, unobserved (see <c>GetManyCoreAsync</c> in <c>ChainedStore.Diagnostics.cs</c>).</summary>
    private async ValueTask<object?[]> ReadManyAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        if (StockpileCaching.IsDisabled)
        {
            return await ReadManyBottomAsync(keys, cancellationToken).ConfigureAwait(false);
        }

        if (!_topIsProcessLocal)
        {
            return await ReadManyCoalescedAsync(keys, 0, cancellationToken).ConfigureAwait(false);
        }

        var results = new object?[keys.Count];
        object?[] top;
        try
        {
            top = await _top.GetManyUntypedAsync(keys, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCache(0) && !_options.ThrowOnCacheReadFailure && ex is not OperationCanceledException)
        {
            ReadFailed(0, ex);
            top = results;
        }

        var missing = new List<int>();
        for (var i = 0; i < keys.Count; i++)
        {
            if (top[i] is { } value && keys[i].EntityType.ClrType.IsInstanceOfType(value))
            {
                results[i] = value;
            }
            else
            {
                missing.Add(i);
            }
        }

        _metrics.Hit(_top.Name, keys.Count - missing.Count);
        _metrics.Miss(_top.Name, missing.Count);
        if (missing.Count > 0)
        {
            var found = await ReadManyCoalescedAsync([.. missing.Select(i => keys[i])], 1, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < missing.Count; j++)
            {
                results[missing[j]] = found[j];
            }
        }

        return results;
    }

    /// <summary>Reads look-ups from <paramref name="fromTier"/> down, each tier once for those still missing, back-filling what each tier finds above it.</summary>
    private async Task<object?[]> ReadManyTiersAsync(List<EntityKey> keys, int fromTier, CancellationToken cancellationToken)
    {
        var results = new object?[keys.Count];
        var pending = Enumerable.Range(0, keys.Count).ToList();
        var epochs = new Dictionary<WriteEpoch, long>();
        var leases = new object?[_tiers.Length];
        for (var tier = fromTier; tier < _tiers.Length && pending.Count > 0; tier++)
        {
            if (tier == 1)
            {
                foreach (var index in pending)
                {
                    var epoch = EpochOf(keys[index].EntityType);
                    epochs.TryAdd(epoch, epoch.Capture());
                }
            }

            // The look-ups of objects (or, by another key, of types) this process is evicting from a shared tier in the background skip that tier.
            List<int>? skipped = null;
            if (IsCache(tier) && !_tiers[tier].IsProcessLocal)
            {
                foreach (var index in pending)
                {
                    if (SkipsSharedTier(tier, EpochOf(keys[index].EntityType), keys[index]))
                    {
                        (skipped ??= []).Add(index);
                    }
                }
            }

            var reading = skipped is null ? pending : pending.Except(skipped).ToList();
            if (reading.Count == 0)
            {
                continue;
            }

            var asked = reading.Select(i => keys[i]).ToArray();
            object?[] found;
            using (var activity = StockpileTracing.Start("get_many", _tiers[tier]))
            {
                try
                {
                    (found, leases[tier]) = await _tiers[tier].ReadManyForChainAsync(asked, cancellationToken).ConfigureAwait(false);
                    StockpileTracing.Counted(activity, asked.Length, found.Count(static f => f is not null));
                }
                catch (Exception ex) when (StockpileTracing.Failed(activity, ex))
                {
                    throw;
                }
                catch (Exception ex) when (IsCache(tier) && !_options.ThrowOnCacheReadFailure && ex is not OperationCanceledException)
                {
                    ReadFailed(tier, ex);
                    continue;
                }
            }

            var hits = new List<object>();
            var stillMissing = new List<int>(pending.Count);
            if (skipped is not null)
            {
                stillMissing.AddRange(skipped);
            }

            for (var j = 0; j < asked.Length; j++)
            {
                if (found[j] is { } value && asked[j].EntityType.ClrType.IsInstanceOfType(value))
                {
                    results[reading[j]] = value;
                    hits.Add(value);
                }
                else
                {
                    stillMissing.Add(reading[j]);
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
