using System.Collections.Concurrent;

namespace Stockpile.Internal.Memory;

/// <summary>The entries of one key of one identity type, by key value.</summary>
internal abstract class MemoryKeyIndex
{
    public abstract bool TryGet(object value, out MemoryEntry entry);

    public abstract void Set(object value, MemoryEntry entry);

    /// <summary>Removes the entry under <paramref name="value"/> only if it is still <paramref name="expected"/>, so a key now owned by another object stays.</summary>
    public abstract void RemoveIf(object value, MemoryEntry expected);

    public abstract void Clear();

    public static MemoryKeyIndex Create(KeyDefinition key) =>
        key.IsComposite
            ? new MemoryKeyIndex<CompositeKeyValue>()
            : (MemoryKeyIndex)Activator.CreateInstance(typeof(MemoryKeyIndex<>).MakeGenericType(key.ValueTypes[0]))!;

    /// <summary>The value an index files an object under: the single value, or the composite of all values.</summary>
    public static object IndexValue(IReadOnlyList<object> values) =>
        values.Count == 1 ? values[0] : new CompositeKeyValue([.. values]);

    /// <summary>The value an index files a look-up's object under, without copying a single value.</summary>
    public static object IndexValue(EntityKey key) =>
        key.Key.IsComposite ? new CompositeKeyValue([.. key.ValueSpan]) : key.FirstValue;
}

/// <summary>The typed index: a hit by a key of type <typeparamref name="TValue"/> neither boxes nor allocates.</summary>
internal sealed class MemoryKeyIndex<TValue> : MemoryKeyIndex
    where TValue : notnull
{
    public ConcurrentDictionary<TValue, MemoryEntry> Entries { get; } = new();

    public override bool TryGet(object value, out MemoryEntry entry) => Entries.TryGetValue((TValue)value, out entry!);

    public override void Set(object value, MemoryEntry entry) => Entries[(TValue)value] = entry;

    public override void RemoveIf(object value, MemoryEntry expected) =>
        Entries.TryRemove(new KeyValuePair<TValue, MemoryEntry>((TValue)value, expected));

    public override void Clear() => Entries.Clear();
}
