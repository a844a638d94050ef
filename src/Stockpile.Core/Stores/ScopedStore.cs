namespace Stockpile;

/// <summary>
/// A store that lives as long as one dependency-injection scope (one web request): objects put in it are seen only
/// by that scope and vanish with it. The .NET counterpart of a thread-local store.
/// </summary>
/// <remarks>
/// <c>AddStockpile</c> registers it as a scoped service. Objects never expire within the scope and there is no size
/// limit: a scope is short. Like <see cref="MemoryStore"/>, callers get the stored instances. The scope disposes
/// it; a later call throws <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class ScopedStore : ObjectStore, IDisposable
{
    private readonly MemoryStore _inner = new(new MemoryStoreOptions { Name = "scoped", DefaultLifetime = Timeout.InfiniteTimeSpan, SizeLimit = null });
    private volatile bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="ScopedStore"/> class.</summary>
    public ScopedStore()
        : base("scoped")
    {
    }

    /// <inheritdoc/>
    public override bool IsProcessLocal => true;

    private MemoryStore Inner
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _inner;
        }
    }

    /// <summary>Releases the objects of the scope; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        _inner.Dispose();
    }

    /// <inheritdoc/>
    protected override ValueTask<T?> GetByPrimaryKeyCoreAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class => _inner.GetAsync<T, TKey>(primaryKey, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask<IReadOnlyList<T?>> GetManyByPrimaryKeyCoreAsync<T, TKey>(IReadOnlyList<TKey> primaryKeys, CancellationToken cancellationToken)
        where T : class => Inner.GetManyAsync<T, TKey>(primaryKeys, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken) => Inner.GetUntypedAsync(key, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) => Inner.GetManyUntypedAsync(keys, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken) => Inner.PutUntypedAsync(item, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask PutManyCoreAsync(IReadOnlyList<object> items, CancellationToken cancellationToken) => Inner.PutManyUntypedAsync(items, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) => Inner.DeleteUntypedAsync(key, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken) => Inner.ClearUntypedAsync(entityType, cancellationToken);

    /// <inheritdoc/>
    protected override ValueTask RemoveByTagCoreAsync(string tag, CancellationToken cancellationToken) => Inner.RemoveByTagUntypedAsync(tag, cancellationToken);
}
