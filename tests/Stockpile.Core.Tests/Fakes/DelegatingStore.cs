namespace Stockpile.Tests.Fakes;

/// <summary>
/// Forwards every call to another store after <see cref="BeforeAsync"/>, so a fake only says what it does differently:
/// record, fail or block. It reports the inner store's nature (source of truth, process-local) unless told otherwise.
/// </summary>
public abstract class DelegatingStore : ObjectStore
{
    protected DelegatingStore(ObjectStore inner, string? name = null)
        : base(name ?? inner.Name, inner.IsPolymorphic)
    {
        Inner = inner;
    }

    public ObjectStore Inner { get; }

    public override bool IsSourceOfTruth => Inner.IsSourceOfTruth;

    public override bool IsProcessLocal => Inner.IsProcessLocal;

    /// <summary>Runs before the call reaches <see cref="Inner"/>; a fake records, throws or waits here.</summary>
    protected virtual ValueTask BeforeAsync(StoreOperation operation, IReadOnlyList<object> arguments, CancellationToken cancellationToken) => default;

    protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        await BeforeAsync(StoreOperation.Get, [key], cancellationToken);
        return await Inner.GetUntypedAsync(key, cancellationToken);
    }

    protected override async ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        await BeforeAsync(StoreOperation.GetMany, [.. keys], cancellationToken);
        return await Inner.GetManyUntypedAsync(keys, cancellationToken);
    }

    protected override async ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken)
    {
        await BeforeAsync(StoreOperation.Put, [item], cancellationToken);
        await Inner.PutUntypedAsync(item, cancellationToken);
    }

    protected override async ValueTask PutManyCoreAsync(IReadOnlyList<object> items, CancellationToken cancellationToken)
    {
        await BeforeAsync(StoreOperation.PutMany, [.. items], cancellationToken);
        await Inner.PutManyUntypedAsync(items, cancellationToken);
    }

    protected override async ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        await BeforeAsync(StoreOperation.Delete, [key], cancellationToken);
        return await Inner.DeleteUntypedAsync(key, cancellationToken);
    }

    protected override async ValueTask<int> DeleteManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        await BeforeAsync(StoreOperation.DeleteMany, [.. keys], cancellationToken);
        return await Inner.DeleteManyUntypedAsync(keys, cancellationToken);
    }

    protected override async ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken)
    {
        await BeforeAsync(StoreOperation.Clear, entityType is null ? [] : [entityType], cancellationToken);
        await Inner.ClearUntypedAsync(entityType, cancellationToken);
    }

    protected override async ValueTask RemoveByTagCoreAsync(string tag, CancellationToken cancellationToken)
    {
        await BeforeAsync(StoreOperation.RemoveByTag, [tag], cancellationToken);
        await Inner.RemoveByTagUntypedAsync(tag, cancellationToken);
    }
}
