using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Stockpile.Internal.Caching;

/// <summary>The in-process tier: reads take no lock; compound writes (add, take, update) take one lock per tier.</summary>
internal sealed class MemoryCacheTier(CacheClock clock) : CacheTier
{
    private readonly ConcurrentDictionary<string, CacheEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _tagVersions = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();

    public override ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken) => new(Live(key));

    /// <summary>The live entry under a key, read synchronously (the cache's hit path and a layered tier's memory hit take no async call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CacheEntry? Get(string key) => Live(key);

    public override ValueTask<CacheEntry?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var entries = new CacheEntry?[keys.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = Live(keys[i]);
        }

        return new(entries);
    }

    public override ValueTask SetAsync(string key, CacheEntry entry, CancellationToken cancellationToken)
    {
        Set(key, entry);
        return default;
    }

    /// <summary>Stores an entry, synchronously.</summary>
    public void Set(string key, CacheEntry entry)
    {
        lock (_writeLock)
        {
            _entries[key] = entry;
        }
    }

    public override ValueTask<bool> AddAsync(string key, CacheEntry entry, CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            if (Live(key) is not null)
            {
                return new(false);
            }

            _entries[key] = entry;
            return new(true);
        }
    }

    /// <summary>Removes the entry under a key only if it is still <paramref name="entry"/> (not one written since).</summary>
    public void RemoveIfHolding(string key, CacheEntry entry)
    {
        lock (_writeLock)
        {
            _entries.TryRemove(new KeyValuePair<string, CacheEntry>(key, entry));
        }
    }

    public override ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            var live = Live(key) is not null;
            _entries.TryRemove(key, out _);
            return new(live);
        }
    }

    public override ValueTask<CacheEntry?> TakeAsync(string key, CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            var live = Live(key);
            _entries.TryRemove(key, out _);
            return new(live);
        }
    }

    public override ValueTask<long> IncrementAsync(string key, long delta, CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            var current = Live(key);
            var value = current is null ? delta : checked(IntegerOf(key, current) + delta);
            _entries[key] = current is null
                ? new CacheEntry(value, null, null, CacheDeadline.Never, null)
                : new CacheEntry(value, null, current.ExpiresAt, current.Deadline, current.Tags);
            return new(value);
        }
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Clear();
        return default;
    }

    /// <summary>Removes every entry at once (for a backplane, on the multiplexer's thread).</summary>
    public void Clear()
    {
        lock (_writeLock)
        {
            _entries.Clear();
        }
    }

    public override ValueTask<long[]> GetTagVersionsAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var versions = new long[tags.Count];
        for (var i = 0; i < versions.Length; i++)
        {
            versions[i] = _tagVersions.GetValueOrDefault(tags[i]);
        }

        return new(versions);
    }

    /// <remarks>Every hit of a tagged value checks its stamps: here without an allocation.</remarks>
    public override ValueTask<bool> AreCurrentAsync(TagStamp[] stamps, CancellationToken cancellationToken)
    {
        foreach (var stamp in stamps)
        {
            if (_tagVersions.GetValueOrDefault(stamp.Tag) != stamp.Version)
            {
                return new(false);
            }
        }

        return new(true);
    }

    public override ValueTask BumpTagAsync(string tag, CancellationToken cancellationToken)
    {
        _tagVersions.AddOrUpdate(tag, 1, static (_, version) => version + 1);
        return default;
    }

    /// <summary>The entry under a key unless it expired (an expired one is dropped on the way).</summary>
    /// <remarks>
    /// Inlined into the cache's hit path: one dictionary probe and one clock read (none for a value that never expires,
    /// which has no deadline to check; the exact clock too near the end of a lifetime, <see cref="CacheClock"/>); the
    /// removal is out of line.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private CacheEntry? Live(string key) =>
        _entries.TryGetValue(key, out var entry) && (entry.Deadline.Coarse == long.MaxValue || clock.IsAlive(entry.Deadline) || Drop(key, entry)) ? entry : null;

    /// <summary>Drops an expired entry (unless another write replaced it meanwhile); always <see langword="false"/>, for <see cref="Live"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Drop(string key, CacheEntry expired)
    {
        _entries.TryRemove(new KeyValuePair<string, CacheEntry>(key, expired));
        return false;
    }

    /// <summary>The integer a counter holds: one set as a number, or serialized as one (JSON writes integers as plain digits, as Redis's INCR stores them).</summary>
    private static long IntegerOf(string key, CacheEntry entry)
    {
        switch (entry.Instance)
        {
            case long l:
                return l;
            case int i:
                return i;
            case short s:
                return s;
            case byte b:
                return b;
        }

        if (entry.Bytes is { } bytes && Utf8Parser.TryParse(bytes, out long parsed, out var consumed) && consumed == bytes.Length)
        {
            return parsed;
        }

        throw new InvalidOperationException(ExceptionMessages.CacheNotAnInteger(key));
    }
}
