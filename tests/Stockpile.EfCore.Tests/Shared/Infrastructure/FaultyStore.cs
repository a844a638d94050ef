using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>
/// A copying memory cache of products that behaves like a remote one: each call may take a little while, and deletes
/// fail on demand, like a cache server that went away.
/// </summary>
public sealed class FaultyStore(string name, TimeSpan latency = default) : ObjectStore(name)
{
    private readonly MemoryStore _inner = new(new MemoryStoreOptions { CopyObjects = true });

    public bool FailDeletes { get; set; }

    protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        await DelayAsync();
        return await _inner.GetAsync<Product>(key, cancellationToken);
    }

    protected override async ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken)
    {
        await DelayAsync();
        await _inner.PutAsync((Product)item, cancellationToken);
    }

    protected override async ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        await DelayAsync();
        return FailDeletes ? throw new IOException("cache unreachable") : await _inner.DeleteAsync(key, cancellationToken);
    }

    protected override ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken) =>
        _inner.ClearAsync(entityType?.ClrType, cancellationToken);

    private Task DelayAsync() =>
        latency <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(TimeSpan.FromTicks(Random.Shared.NextInt64(latency.Ticks)));
}
