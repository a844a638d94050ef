namespace Stockpile.Internal;

/// <summary>The changes one coordinator (one chain) applies together after a commit.</summary>
internal sealed partial class CommitBatch(CommitCoordinator coordinator, List<CapturedChange> changes)
{
    public CommitCoordinator Coordinator { get; } = coordinator;

    public List<CapturedChange> Changes { get; } = changes;

    public CommitTicket? Ticket { get; set; }

    /// <summary>Gets the entity types to drop whole at commit: changes whose objects could not be named key by key.</summary>
    public HashSet<Type> Types { get; } = [];

    /// <summary>Gets the keys to evict at commit beyond those of <see cref="Changes"/>: the rows a bulk statement pinned by key.</summary>
    public HashSet<EntityKey> Keys { get; } = [];

    /// <summary>Gets the tags of the tables written, whose cached query results are dropped at commit.</summary>
    public HashSet<string> Tables { get; } = new(StringComparer.Ordinal);

    public bool IsEmpty => IsTablesOnly && Tables.Count == 0;

    /// <summary>Gets a value indicating whether the batch changes no cached entity, only tables that cached queries read.</summary>
    public bool IsTablesOnly => Changes.Count == 0 && Types.Count == 0 && Keys.Count == 0;

    public void InvalidateTypes(Type type) => Types.Add(type);

    /// <summary>The stripes of the rows changed, or <see langword="null"/> when a row's key is not known yet (or whole types change).</summary>
    public int[]? Stripes(bool keysFinal)
    {
        if (Types.Count > 0 || Keys.Count > 0)
        {
            return null;
        }

        var stripes = new int[Changes.Count];
        var count = 0;
        foreach (var change in Changes)
        {
            if (!keysFinal && !change.KeyKnownBeforeSave)
            {
                return null;
            }

            if (change.PrimaryKey is { } primaryKey)
            {
                stripes[count++] = CommitTracker.StripeOf(primaryKey);
            }
        }

        return count == stripes.Length ? stripes : stripes[..count];
    }

    /// <summary>Turns every write-through into an eviction: what was saved may not be what commits.</summary>
    public void Demote()
    {
        foreach (var change in Changes)
        {
            change.WriteThrough = false;
        }
    }
}
