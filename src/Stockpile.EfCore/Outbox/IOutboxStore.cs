namespace Stockpile.Internal;

/// <summary>An EF Core store, seen without its context type argument: whether its own saves write outbox rows.</summary>
internal interface IOutboxStore
{
    /// <summary>Gets the store's context type.</summary>
    Type ContextType { get; }

    /// <summary>Gets a value indicating whether the store's contexts carry a Stockpile interceptor that writes outbox rows for them.</summary>
    bool SavesWriteOutboxRows { get; }
}
