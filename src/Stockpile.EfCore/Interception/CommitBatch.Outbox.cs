namespace Stockpile.Internal;

internal sealed partial class CommitBatch
{
    /// <summary>Gets or sets the outbox row written with the commit, deleted once every tier applied the batch.</summary>
    public OutboxRow? OutboxRow { get; set; }

    /// <summary>Gets or sets the rows written at each save of an ambient transaction (<c>TransactionScope</c>), deleted with <see cref="OutboxRow"/>.</summary>
    public List<OutboxRow>? SavedOutboxRows { get; set; }

    /// <summary>Gets or sets the store's save this batch belongs to (a chain's write through the EF Core store), whose row the store deletes.</summary>
    public StoreSave? StoreSave { get; set; }

    /// <summary>Gets a value indicating whether an outbox row waits on this batch's cache update (its eviction is then awaited, never left to the background).</summary>
    public bool HasOutboxWork => OutboxRow is not null || SavedOutboxRows is not null || StoreSave is not null;

    /// <summary>Gets or sets what a store's save changes: named in its outbox row only, since the chain applies the write itself.</summary>
    public CommitBatch? StoreCapture { get; set; }

    /// <summary>Gets or sets a value indicating whether a part of the cache update failed after the commit (the outbox row then stays, to be drained).</summary>
    public bool Faulted { get; set; }

    /// <summary>Gets or sets a value indicating whether the outbox row was deleted: every tier applied the batch.</summary>
    public bool OutboxDone { get; set; }

    /// <summary>Gets or sets a value indicating whether a drained row named a type no longer found: everything is evicted.</summary>
    public bool InvalidateAll { get; set; }
}
