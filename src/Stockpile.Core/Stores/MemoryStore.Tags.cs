using Stockpile.Internal.Memory;

namespace Stockpile;

/// <content>
/// Entity tags: each object written with tags is filed in a per-tag set, kept under the store's write lock with the
/// key indexes; removing the object (delete, replace, eviction, expiry, clear) takes it out of the sets. A read never
/// looks at tags. Removing a tag removes the objects of its set, as a delete would.
/// </content>
public sealed partial class MemoryStore
{
    private readonly Dictionary<string, HashSet<MemoryEntry>> _tagIndex = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    /// <remarks>Removes the objects filed under the tag, under the write lock: in proportion to their number, not to the store's size.</remarks>
    protected override ValueTask RemoveByTagCoreAsync(string tag, CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            ThrowIfDisposedLocked();
            if (_tagIndex.TryGetValue(tag, out var tagged))
            {
                foreach (var entry in tagged.ToArray())
                {
                    RemoveLocked(entry);
                }
            }
        }

        return default;
    }

    /// <summary>Gets how many objects carry a tag (for tests).</summary>
    internal int CountTagged(string tag)
    {
        lock (_writeLock)
        {
            return _tagIndex.TryGetValue(tag, out var tagged) ? tagged.Count : 0;
        }
    }

    private void IndexTagsLocked(MemoryEntry entry)
    {
        foreach (var tag in entry.Tags!)
        {
            if (!_tagIndex.TryGetValue(tag, out var tagged))
            {
                _tagIndex.Add(tag, tagged = []);
            }

            tagged.Add(entry);
        }
    }

    private void UnindexTagsLocked(MemoryEntry entry)
    {
        foreach (var tag in entry.Tags!)
        {
            if (_tagIndex.TryGetValue(tag, out var tagged) && tagged.Remove(entry) && tagged.Count == 0)
            {
                _tagIndex.Remove(tag);
            }
        }
    }

    /// <summary>Files an entry refreshed in place under the tags of its new state (a tenant moved).</summary>
    private void RetagLocked(MemoryEntry entry, string[]? tags)
    {
        if (entry.Tags is not null)
        {
            UnindexTagsLocked(entry);
        }

        entry.Tags = tags;
        if (tags is not null)
        {
            IndexTagsLocked(entry);
        }
    }
}
