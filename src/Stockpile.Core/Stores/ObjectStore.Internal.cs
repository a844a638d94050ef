namespace Stockpile;

public abstract partial class ObjectStore
{
    /// <summary>Gets a value indicating whether the store is the source of truth (a database) rather than a cache.</summary>
    /// <remarks>A <see cref="ChainedStore"/> evicts only from tiers that are not the source of truth.</remarks>
    public virtual bool IsSourceOfTruth => false;

    /// <summary>Gets a value indicating whether the store lives in this process only (a memory store), so other app instances cannot see its changes.</summary>
    /// <remarks>A backplane evicts from these tiers when another instance changes an object.</remarks>
    public virtual bool IsProcessLocal => false;

    // Untyped entry points for composite stores (ChainedStore) and integrations: the arguments are already checked.
    internal ValueTask<object?> GetUntypedAsync(EntityKey key, CancellationToken cancellationToken) => GetCoreAsync(key, cancellationToken);

    internal ValueTask<T?> GetByPrimaryKeyUncheckedAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull => GetByPrimaryKeyCoreAsync<T, TKey>(primaryKey, cancellationToken);

    internal ValueTask<TierRead<object?>> ReadForChainAsync(EntityKey key, CancellationToken cancellationToken) => ReadForChainCoreAsync(key, cancellationToken);

    internal ValueTask<TierRead<object?[]>> ReadManyForChainAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) => ReadManyForChainCoreAsync(keys, cancellationToken);

    internal ValueTask BackfillUntypedAsync(IReadOnlyList<object> items, object? lease, CancellationToken cancellationToken) => BackfillCoreAsync(items, lease, cancellationToken);

    internal ValueTask<object?[]> GetManyUntypedAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) => GetManyCoreAsync(keys, cancellationToken);

    internal ValueTask PutUntypedAsync(object item, CancellationToken cancellationToken) =>
        PutCoreAsync(StockpileEntityType.For(item.GetType()), item, cancellationToken);

    // One object goes through the single-item path: a store's batch path may cost more for one (a transaction, a script).
    internal ValueTask PutManyUntypedAsync(IReadOnlyList<object> items, CancellationToken cancellationToken) =>
        items.Count == 1 ? PutUntypedAsync(items[0], cancellationToken) : PutManyCoreAsync(items, cancellationToken);

    internal ValueTask<bool> DeleteUntypedAsync(EntityKey key, CancellationToken cancellationToken) => DeleteCoreAsync(key, cancellationToken);

    internal ValueTask<int> DeleteManyUntypedAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) => DeleteManyCoreAsync(keys, cancellationToken);

    internal ValueTask ClearUntypedAsync(StockpileEntityType? entityType, CancellationToken cancellationToken) => ClearCoreAsync(entityType, cancellationToken);
}
