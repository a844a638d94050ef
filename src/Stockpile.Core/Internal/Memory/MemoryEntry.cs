namespace Stockpile.Internal.Memory;

/// <summary>One stored object and the index entries that point at it.</summary>
internal sealed class MemoryEntry
{
    public MemoryEntry(object value, long expiresAt, MemoryTypeView view, object?[] indexValues)
    {
        Value = value;
        ExpiresAt = expiresAt;
        View = view;
        IndexValues = indexValues;
    }

    /// <summary>The object; replaced in place by a put that files the same object under the same keys.</summary>
    public object Value { get; private set; }

    /// <summary>A timestamp of the store's clock, or <see cref="long.MaxValue"/> for an object that never expires.</summary>
    public long ExpiresAt { get; private set; }

    /// <summary>The view of the object's own type: which indexes it is filed in.</summary>
    public MemoryTypeView View { get; }

    /// <summary>The value the object is filed under in each index of <see cref="View"/>; <see langword="null"/> where it is not filed (a null alternate key).</summary>
    public object?[] IndexValues { get; }

    /// <summary>
    /// Takes a newer state of the same object under the same keys, so a replacing put touches no index. Called under
    /// the store's write lock; a reader racing it sees the old or the new object, either with the old or the new expiry.
    /// </summary>
    public void Refresh(object value, long expiresAt)
    {
        Value = value;
        ExpiresAt = expiresAt;
    }

    /// <summary>Set on every hit, cleared by the eviction clock: a second chance for objects in use.</summary>
    public bool Accessed { get; set; }

    /// <summary>The entry's place in the eviction clock; <see langword="null"/> once removed.</summary>
    public LinkedListNode<MemoryEntry>? ClockNode { get; set; }
}
