namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>A store that has been disposed: every call throws <see cref="ObjectDisposedException"/>, as a disposed store does.</summary>
public sealed class DisposedStore() : ObjectStore("disposed")
{
    protected override ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken) => throw Disposed();

    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken) => throw Disposed();

    protected override ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) => throw Disposed();

    protected override ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken) => throw Disposed();

    private static ObjectDisposedException Disposed() => new(nameof(DisposedStore));
}
