using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Fakes;

/// <summary>
/// A source of truth in front of a real one (an <see cref="EfCoreStore{TContext}"/>) for <see cref="Product"/>: when
/// told, the next read runs against the real store, then holds what it read until released, as an instance paused
/// between its database read and its back-fill.
/// </summary>
internal sealed class HeldProductReads(ObjectStore inner) : ObjectStore("held-" + inner.Name, inner.IsPolymorphic)
{
    private TaskCompletionSource? _entered;
    private TaskCompletionSource? _released;

    public override bool IsSourceOfTruth => inner.IsSourceOfTruth;

    /// <summary>Holds the next read after it has read; returns a task that completes when it has.</summary>
    public Task HoldNextRead()
    {
        _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _entered.Task;
    }

    public void Release() => _released?.TrySetResult();

    protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        var value = await inner.GetAsync<Product>(key, cancellationToken);
        await HoldAsync();
        return value;
    }

    protected override async ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        var values = await inner.GetManyAsync<Product>(keys, cancellationToken);
        await HoldAsync();
        return [.. values];
    }

    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken) =>
        inner.PutAsync((Product)item, cancellationToken);

    protected override ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
        inner.DeleteAsync(key, cancellationToken);

    private async Task HoldAsync()
    {
        if (Interlocked.Exchange(ref _entered, null) is { } entered)
        {
            entered.TrySetResult();
            await _released!.Task;
        }
    }
}
