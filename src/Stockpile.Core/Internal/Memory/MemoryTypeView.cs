namespace Stockpile.Internal.Memory;

/// <summary>
/// How one CLR type sees a memory store: for each of its keys, the index objects of that key are filed in. In a
/// polymorphic store, a derived type shares the indexes of the base type that declares the key.
/// </summary>
internal sealed class MemoryTypeView
{
    public MemoryTypeView(StockpileEntityType entityType, MemoryKeyIndex[] indexes)
    {
        EntityType = entityType;
        Indexes = indexes;
    }

    public StockpileEntityType EntityType { get; }

    /// <summary>One index per key, aligned with <see cref="StockpileEntityType.Keys"/>.</summary>
    public MemoryKeyIndex[] Indexes { get; }
}
