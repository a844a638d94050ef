namespace Stockpile;

public sealed partial class ChainedStore
{
    /// <summary>Gets or sets the backplane that tells other app instances what this chain changed.</summary>
    /// <value>The default value is <see langword="null"/>: a single instance.</value>
    public IStockpileBackplane? Backplane { get; set; }

    /// <summary>
    /// Evicts objects from every cache tier (every tier that is not the source of truth), so the next read comes from
    /// the source of truth, and tells other instances through the <see cref="Backplane"/>.
    /// </summary>
    /// <param name="keys">The look-ups of the objects that changed.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when every cache tier has evicted the objects.</returns>
    /// <remarks>Use it after writes that bypass Stockpile (raw SQL, bulk updates). Tier failures reach the caller after every tier was tried.</remarks>
    public async ValueTask InvalidateAsync(IEnumerable<EntityKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToArray();
        if (list.Length == 0)
        {
            return;
        }

        // The last shared tier to delete may send the backplane's message with its delete (one round trip instead of
        // two, still after the delete on the server); the tiers after it are this process's own.
        var backplane = Backplane;
        var carrier = backplane is null ? null : LastSharedCacheTier();
        var carried = false;
        await PublishingAsync(list, () => GuardedAsync(list.Select(k => EpochOf(k.EntityType)).Distinct().ToArray(), async () =>
        {
            await ForEachCacheTierAsync(tier => tier == carrier ? Carry(tier.DeleteManyAndPublishForChainAsync(list, backplane!, cancellationToken)) : Ignore(tier.DeleteManyUntypedAsync(list, cancellationToken))).ConfigureAwait(false);
            return true;
        }), static () => true, cancellationToken, () => carried).ConfigureAwait(false);

        async ValueTask Carry(ValueTask<bool> pending) => carried = await pending.ConfigureAwait(false);
    }

    /// <summary>Evicts every object of a type (or every object) from every cache tier, and tells other instances.</summary>
    /// <param name="entityType">The type, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when every cache tier is cleared.</returns>
    public async ValueTask InvalidateAsync(Type? entityType, CancellationToken cancellationToken = default)
    {
        var type = entityType is null ? null : StockpileEntityType.For(entityType);
        try
        {
            await ClearCoreAsync(type, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The tiers that did clear are fresh, but other instances still hold local copies: tell them anyway.
            await PublishClearAsync(entityType, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await PublishClearAsync(entityType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Brings committed objects into every cache tier: evicts them, then reads them back from the source of truth and
    /// back-fills the tiers above it; other instances are told to evict their process-local copies.
    /// </summary>
    /// <param name="items">The objects as committed.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when every cache tier holds the objects (or, after a racing write, does not).</returns>
    /// <remarks>
    /// The objects are read back rather than written as given: two commits of the same row can reach this method in
    /// the other order than they committed, and writing the given state could leave the older one cached. A read from
    /// the source of truth after the commit is guarded like every back-fill, so a later write always wins. A chain
    /// without a source of truth puts the objects in its tiers instead.
    /// </remarks>
    public async ValueTask RefreshAsync(IEnumerable<object> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToArray();
        if (list.Length == 0)
        {
            return;
        }

        var keys = list.Select(EntityKey.FromEntity).ToArray();
        if (!IsSourceOfTruth)
        {
            await WriteAsync(list.Select(static i => StockpileEntityType.For(i.GetType())).Distinct().ToArray(), list, cancellationToken).ConfigureAwait(false);
            return;
        }

        await RefreshFromSourceAsync(keys, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="RefreshAsync"/> by look-up, for a chain with a source of truth: evicts the objects, then reads them back
    /// from the source and back-fills the tiers above it (an object the source no longer has stays evicted).
    /// </summary>
    internal async ValueTask RefreshFromSourceAsync(EntityKey[] keys, CancellationToken cancellationToken)
    {
        await InvalidateAsync(keys, cancellationToken).ConfigureAwait(false);
        _ = await GetManyCoreAsync(keys, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evicts objects from this instance's process-local tiers only: what a backplane calls when another instance changed them.</summary>
    /// <param name="keys">The look-ups.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the local tiers have evicted the objects.</returns>
    public async ValueTask EvictLocalAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _metrics.Invalidated(Name, "received", "evict", keys.Count);
        await GuardedAsync(keys.Select(k => EpochOf(k.EntityType)).Distinct().ToArray(), async () =>
        {
            foreach (var tier in _tiers.Where(static t => t.IsProcessLocal))
            {
                await tier.DeleteManyUntypedAsync(keys, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }).ConfigureAwait(false);
    }

    /// <summary>Clears this instance's process-local tiers, for a type or entirely: what a backplane calls after it lost messages.</summary>
    /// <param name="entityType">The type, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the local tiers are cleared.</returns>
    public async ValueTask ClearLocalAsync(Type? entityType, CancellationToken cancellationToken = default)
    {
        var type = entityType is null ? null : StockpileEntityType.For(entityType);
        _metrics.Invalidated(Name, "received", "clear", 1);
        await GuardedAsync(type is null ? _epochs.Values.ToArray() : [EpochOf(type)], async () =>
        {
            foreach (var tier in _tiers.Where(static t => t.IsProcessLocal))
            {
                await tier.ClearUntypedAsync(type, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }).ConfigureAwait(false);
    }

    private ValueTask PublishEvictAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken, bool sent = false) =>
        Backplane is { } backplane && _metrics.Invalidated(Name, "sent", "evict", keys.Count) && !sent ? backplane.PublishEvictAsync(keys, cancellationToken) : default;

    /// <summary>The cache tier other instances read that deletes last (tiers delete bottom first), or <see langword="null"/> for none.</summary>
    private ObjectStore? LastSharedCacheTier()
    {
        for (var tier = 0; tier < _tiers.Length; tier++)
        {
            if (IsCache(tier) && !_tiers[tier].IsProcessLocal)
            {
                return _tiers[tier];
            }
        }

        return null;
    }

    private ValueTask PublishClearAsync(Type? entityType, CancellationToken cancellationToken) =>
        Backplane is { } backplane && _metrics.Invalidated(Name, "sent", "clear", 1) ? backplane.PublishClearAsync(entityType, cancellationToken) : default;

    private static async ValueTask Ignore(ValueTask<int> pending) => await pending.ConfigureAwait(false);
}
