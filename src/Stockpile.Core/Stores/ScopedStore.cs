namespace Stockpile;

/// <summary>
/// A store that lives as long as one dependency-injection scope (one web request): objects put in it are seen only
/// by that scope and vanish with it. The .NET counterpart of a thread-local store.
/// </summary>
/// <remarks>
/// <c>AddStockpile</c> registers it as a scoped service. Objects never expire within the scope and there is no size
/// limit: a scope is short. Like <see cref="MemoryStore"/>, callers get the stored instances.
/// </remarks>
public sealed class ScopedStore : ObjectStore
{
    private readonly MemoryStore _inner = new(new MemoryStoreOptions { Name = "scoped", DefaultLifetime = Timeout.InfiniteTimeSpan, SizeLimit = null });

    /// <summary>Initializes a new instance of the <see cref="ScopedStore"/> class.</summary>
    public ScopedStore()
        : base("scoped")
    {
    }

    /// <inheritdoc/>
    public override bool IsProcessLocal => true;

    /// <inheritdoc/>
    protected override ValueTask<T?> GetByPrimaryKeyCoreAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class => _inner.GetAsync<T, TKey>(primaryKey, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken) => _inner.GetUntypedAsync(key, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) => _inner.GetManyUntypedAsync(keys, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken) => _inner.PutUntypedAsync(item, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask PutManyCoreAsync(IReadOnlyList<object> items, CancellationToken cancellationToken) => _inner.PutManyUntypedAsync(items, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) => _inner.DeleteUntypedAsync(key, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken) => _inner.ClearUntypedAsync(entityType, cancellationToken);
}
