using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Stockpile.Internal;
using Stockpile.Internal.Keys;

namespace Stockpile;

/// <content>
/// An eviction whose shared part runs after its caller returned (<see cref="ChainedStoreOptions.EvictSharedTiersInBackground"/>):
/// the process-local tiers are evicted before the caller goes on; the shared tiers and the backplane's message follow.
/// Until they have, the evicted types' write epochs stay begun (racing back-fills are refused, as during any write),
/// this process's reads of the evicted objects by primary key, and of those types by any other key, skip the shared
/// tiers (<see cref="SkipsSharedTier"/>), and its puts of those types wait (<see cref="WaitForSharedEvictionsAsync"/>);
/// <see cref="SettleAsync"/> waits for them.
/// </content>
public sealed partial class ChainedStore
{
    /// <summary>
    /// The primary keys being evicted behind, each with the number of evictions under way that name it; compared by the
    /// key's declaring type (<see cref="DeclaredKeyComparer"/>), so a read by a base or derived type's key finds them.
    /// </summary>
    private readonly ConcurrentDictionary<EntityKey, int> _evictingBehind = new(DeclaredKeyComparer.Instance);

    /// <summary>
    /// Gets a value indicating whether the interceptor may leave the shared tiers' eviction to the background: with
    /// the option on, and something to leave there (a shared cache tier or a backplane). A chain of process-local tiers
    /// evicts in place, so its reads right after a save back-fill as before.
    /// </summary>
    internal bool EvictsSharedTiersInBackground => _options.EvictSharedTiersInBackground && (Backplane is not null || LastSharedCacheTier() is not null);

    /// <summary>
    /// <see cref="InvalidateAsync(IEnumerable{EntityKey}, CancellationToken)"/> whose shared tiers and message follow in
    /// the background. Returns once the process-local tiers have evicted the objects (their failures are thrown then,
    /// after the background part was started); the background part's failure goes to <paramref name="failed"/>, which
    /// runs while the objects still count as being evicted.
    /// </summary>
    /// <param name="keys">The look-ups to evict.</param>
    /// <param name="failed">What handles the background part's failure.</param>
    /// <param name="keysNameEveryObject">
    /// Whether every object whose state changed is named in <paramref name="keys"/> by its primary key, its other keys
    /// beside it (the interceptor's tracked changes): then this process's reads by primary key skip the shared tiers for
    /// those objects only. Otherwise the types with a look-up by another key in <paramref name="keys"/> are skipped
    /// whole: the shared tier's delete by that key evicts an object whose primary key the chain does not know.
    /// </param>
    /// <returns>The background part: it completes (never faults) once the shared tiers were tried and <paramref name="failed"/> ran.</returns>
    internal async ValueTask<Task> InvalidateBehindAsync(IReadOnlyList<EntityKey> keys, Func<Exception, ValueTask> failed, bool keysNameEveryObject = false)
    {
        var epochs = keys.Select(k => EpochOf(k.EntityType)).Distinct().ToArray();
        var unnamed = keysNameEveryObject ? [] : keys.Where(static k => !k.Key.IsPrimary).Select(k => EpochOf(k.EntityType)).Distinct().ToArray();

        // Counted before the type's evictions are: a read that sees the type's count sees the keys too.
        var primaryKeys = DistinctPrimaryKeys(keys);
        foreach (var key in primaryKeys)
        {
            _evictingBehind.AddOrUpdate(key, 1, static (_, count) => count + 1);
        }

        foreach (var epoch in unnamed)
        {
            epoch.SharedEvictionsByOtherKeys.Begin();
        }

        foreach (var epoch in epochs)
        {
            epoch.Begin();
            epoch.SharedEvictions.Begin();
        }

        _background.Begin();
        Exception? local = null;
        foreach (var tier in _tiers)
        {
            if (!tier.IsProcessLocal || tier.IsSourceOfTruth)
            {
                continue;
            }

            try
            {
                await tier.DeleteManyUntypedAsync(keys, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _metrics.Error(tier.Name, "delete");
                Log.TierDeleteFailed(_logger, tier.Name, ex);
                local ??= ex;
            }
        }

        // The shared part leaves the caller's thread: its encoding and sending are off the caller's path too.
        var behind = Task.Run(() => EvictSharedAsync(keys, primaryKeys, epochs, unnamed, failed));
        if (local is not null)
        {
            ExceptionDispatchInfo.Capture(local).Throw();
        }

        return behind;
    }

    /// <summary>The primary-key look-ups among <paramref name="keys"/>, once each (as their declaring type names them), in a set made to size once.</summary>
    private static EntityKey[] DistinctPrimaryKeys(IReadOnlyList<EntityKey> keys)
    {
        var set = new HashSet<EntityKey>(keys.Count, DeclaredKeyComparer.Instance);
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i].Key.IsPrimary)
            {
                set.Add(keys[i]);
            }
        }

        return [.. set];
    }

    /// <summary>Evicts the shared cache tiers and publishes (in the delete's script where the last shared tier can), then ends the eviction.</summary>
    private async Task EvictSharedAsync(IReadOnlyList<EntityKey> keys, EntityKey[] primaryKeys, WriteEpoch[] epochs, WriteEpoch[] unnamed, Func<Exception, ValueTask> failed)
    {
        try
        {
            var backplane = Backplane;
            var carrier = backplane is null ? null : LastSharedCacheTier();
            var carried = false;
            try
            {
                await PublishingAsync(keys, async () =>
                {
                    await ForEachCacheTierAsync(tier => tier.IsProcessLocal ? default : tier == carrier ? Carry(tier.DeleteManyAndPublishForChainAsync(keys, backplane!, CancellationToken.None)) : Ignore(tier.DeleteManyUntypedAsync(keys, CancellationToken.None))).ConfigureAwait(false);
                    return true;
                }, static () => true, CancellationToken.None, () => carried).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await failed(ex).ConfigureAwait(false);
            }

            async ValueTask Carry(ValueTask<bool> pending) => carried = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The failure handler itself failed: nothing is left to tell but the log.
            Log.SettleFailed(_logger, Name, ex);
        }
        finally
        {
            foreach (var epoch in epochs)
            {
                epoch.End();
                epoch.SharedEvictions.End();
            }

            foreach (var epoch in unnamed)
            {
                epoch.SharedEvictionsByOtherKeys.End();
            }

            foreach (var key in primaryKeys)
            {
                EndEvictingBehind(key);
            }

            _background.End();
        }
    }

    /// <summary>
    /// Whether a read of <paramref name="key"/> (of <paramref name="epoch"/>'s type) skips <paramref name="tier"/>: a
    /// shared cache tier this process is evicting that type from, and by primary key, that very object. A look-up by
    /// another key skips it for the whole type: a pointer there may name an object being evicted under a value the
    /// eviction does not know, and only the primary key names the object for sure. So does every look-up of the type
    /// while an eviction that does not name all its objects by primary key runs (<see cref="WriteEpoch.SharedEvictionsByOtherKeys"/>).
    /// </summary>
    private bool SkipsSharedTier(int tier, WriteEpoch epoch, EntityKey key) =>
        epoch.SharedEvictions.Count > 0 && IsCache(tier) && !_tiers[tier].IsProcessLocal
        && (!key.Key.IsPrimary || epoch.SharedEvictionsByOtherKeys.Count > 0 || _evictingBehind.ContainsKey(key));

    /// <summary>Ends one eviction's count of <paramref name="key"/>, removing it at the last (a later eviction may have counted it again meanwhile).</summary>
    private void EndEvictingBehind(EntityKey key)
    {
        while (_evictingBehind.TryGetValue(key, out var count))
        {
            if (count == 1 ? _evictingBehind.TryRemove(KeyValuePair.Create(key, 1)) : _evictingBehind.TryUpdate(key, count - 1, count))
            {
                return;
            }
        }
    }

    /// <summary>Waits until no eviction of <paramref name="epochs"/>' types runs in the background, so a put is never overtaken by an older eviction.</summary>
    private static async ValueTask WaitForSharedEvictionsAsync(WriteEpoch[] epochs, CancellationToken cancellationToken)
    {
        for (var i = 0; i < epochs.Length; i++)
        {
            if (epochs[i].SharedEvictions.Count > 0)
            {
                await epochs[i].SharedEvictions.WhenDrainedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
