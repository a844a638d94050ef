using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>A memory cache of products whose deletes fail on demand, like a cache server that went away.</summary>
public sealed class FailingDeleteStore() : ObjectStore("flaky")
{
    private readonly MemoryStore _inner = new();

    public bool FailDeletes { get; set; }

    protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
        await _inner.GetAsync<Product>(key, cancellationToken);

    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken) =>
        _inner.PutAsync((Product)item, cancellationToken);

    protected override ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
        FailDeletes ? throw new IOException("cache unreachable") : _inner.DeleteAsync(key, cancellationToken);
}
