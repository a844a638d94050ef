using Stockpile.Internal.Memory;

namespace Stockpile;

/// <content>
/// Entity tags: each object written with tags is filed in a per-tag set, and its tags are kept beside its entry (not in
/// it, so entries of types without tags stay as small as before); both change under the store's write lock with the
/// key indexes, and removing the object (delete, replace, eviction, expiry, clear) takes it out of them. A read never
/// looks at tags. Removing a tag removes the objects of its set, as a delete would.
/// </content>
public sealed partial class MemoryStore
{
    private readonly Dictionary<string, HashSet<MemoryEntry>> _tagIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<MemoryEntry, string[]> _entryTags = new(ReferenceEqualityComparer.Instance);

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

    private void IndexTagsLocked(MemoryEntry entry, string[] tags)
    {
        _entryTags[entry] = tags;
        foreach (var tag in tags)
        {
            if (!_tagIndex.TryGetValue(tag, out var tagged))
            {
                _tagIndex.Add(tag, tagged = []);
            }

            tagged.Add(entry);
        }
    }

    private void UnindexTagsLocked(MemoryEntry entry, string[] tags)
    {
        foreach (var tag in tags)
        {
            if (_tagIndex.TryGetValue(tag, out var tagged) && tagged.Remove(entry) && tagged.Count == 0)
            {
                _tagIndex.Remove(tag);
            }
        }
    }

    /// <summary>Files an entry refreshed in place under the tags of its new state (a tenant moved); the same tags change nothing.</summary>
    private void RetagLocked(MemoryEntry entry, string[]? tags)
    {
        var old = _entryTags.GetValueOrDefault(entry);
        if (old is null ? tags is null : tags is not null && old.AsSpan().SequenceEqual(tags))
        {
            return;
        }

        if (old is not null)
        {
            _entryTags.Remove(entry);
            UnindexTagsLocked(entry, old);
        }

        if (tags is not null)
        {
            IndexTagsLocked(entry, tags);
        }
    }
}
