namespace Stockpile.Internal;

/// <summary>A store's save under way: the chain's write it belongs to, and the outbox row its commit wrote.</summary>
/// <param name="Write">The chain's write, or <see langword="null"/> when the store was called directly.</param>
internal sealed record StoreSave(ChainWrite? Write)
{
    /// <summary>Gets or sets the outbox row written with the save: deleted once the chain's write settled.</summary>
    public OutboxRow? OutboxRow { get; set; }
}
