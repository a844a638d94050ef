using Stockpile.Internal;

namespace Stockpile;

/// <summary>
/// A chain's write through this store, with the invalidation outbox on for the context: the interceptor writes the
/// outbox row in the store's save transaction (naming the keys the write changes), and the store marks it done once the
/// chain's write settled (every cache tier took it, and it was published). A process that dies between the database
/// write and the cache writes leaves the row, and a drain evicts what it names.
/// </summary>
public sealed partial class EfCoreStore<TContext>
{
    /// <inheritdoc/>
    Type IOutboxStore.ContextType => typeof(TContext);

    /// <summary>Gets a value indicating whether the store's contexts carry a Stockpile interceptor that writes outbox rows for them (read when the store is built).</summary>
    internal bool SavesWriteOutboxRows { get; }

    /// <inheritdoc/>
    bool IOutboxStore.SavesWriteOutboxRows => SavesWriteOutboxRows;

    internal override ValueTask PutForChainAsync(IReadOnlyList<object> items, ChainWrite write, CancellationToken cancellationToken) =>
        PutBatchAsync(items, write, cancellationToken);

    internal override async ValueTask<bool> DeleteForChainAsync(EntityKey key, ChainWrite write, CancellationToken cancellationToken) =>
        await DeleteBatchAsync([key], write, cancellationToken).ConfigureAwait(false) > 0;

    internal override ValueTask<int> DeleteManyForChainAsync(IReadOnlyList<EntityKey> keys, ChainWrite write, CancellationToken cancellationToken) =>
        DeleteBatchAsync(keys, write, cancellationToken);

    /// <summary>
    /// The save committed: its outbox row, if it wrote one, is marked done once the chain's write settled (deleted with
    /// the next commit's row or by the next drain pass, as a commit's is).
    /// </summary>
    private static void Settled(StoreSave save)
    {
        if (save is { OutboxRow: { } row, Write: { } write })
        {
            write.OnSettled(() =>
            {
                row.Table.MarkDone(row.Connection, row.Id);
                return default;
            });
        }
    }
}
