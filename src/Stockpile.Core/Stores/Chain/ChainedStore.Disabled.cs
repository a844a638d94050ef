namespace Stockpile;

public sealed partial class ChainedStore
{
    // Reads in a flow where StockpileCaching.Disable() is open: the bottom tier alone, nothing back-filled.
    private ValueTask<T?> ReadBottomAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull =>
        Bottom.GetByPrimaryKeyUncheckedAsync<T, TKey>(primaryKey, cancellationToken);

    private ValueTask<object?> ReadBottomAsync(EntityKey key, CancellationToken cancellationToken) =>
        Bottom.GetUntypedAsync(key, cancellationToken);

    private ValueTask<object?[]> ReadManyBottomAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) =>
        Bottom.GetManyUntypedAsync(keys, cancellationToken);
}
