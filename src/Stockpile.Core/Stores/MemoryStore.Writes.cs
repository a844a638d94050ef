using Stockpile.Internal.Memory;

namespace Stockpile;

public sealed partial class MemoryStore
{
    private void Put(StockpileEntityType entityType, object item) => Commit(Prepare(entityType, item));

    /// <summary>The part of a put done outside the lock, which may fail (the copy, the tags): the entry, whether it is already expired, and its tags.</summary>
    private (MemoryEntry Entry, bool Expired, string[]? Tags) Prepare(StockpileEntityType entityType, object item)
    {
        var value = _copier is null ? item : Copy(item);
        var ttl = _lifetimes.TimeToLive(item, _time);
        var expiresAt = ttl is null ? long.MaxValue : Now() + ToClockTicks(ttl.Value);
        var view = ViewOf(entityType);
        var keys = entityType.Keys;
        var indexValues = new object?[keys.Count];
        for (var i = 0; i < indexValues.Length; i++)
        {
            indexValues[i] = keys[i].ReadIndexValue(item);
        }

        return (new MemoryEntry(value, expiresAt, view, indexValues), ttl is { } live && live <= TimeSpan.Zero, entityType.TagSelector?.TagsOf(item));
    }

    private void Commit((MemoryEntry Entry, bool Expired, string[]? Tags) put)
    {
        var (entry, expired, tags) = put;
        var view = entry.View;
        var indexValues = entry.IndexValues;
        lock (_writeLock)
        {
            ThrowIfDisposedLocked();
            if (!expired && TryRefreshLocked(entry, tags))
            {
                return;
            }

            // Whatever holds any of the new object's keys is older: the object itself under its primary key, or another
            // object that held one of its alternate keys. Remove each entirely, so no index keeps serving it; only the
            // index entries the new object takes over are left for it to overwrite in place, and the clock position of
            // the object it replaces is reused, so a replace allocates nothing in the indexes or the clock.
            LinkedListNode<MemoryEntry>? freed = null;
            var successor = expired ? null : entry;
            for (var i = 0; i < indexValues.Length; i++)
            {
                if (indexValues[i] is { } indexValue && view.Indexes[i].TryGet(indexValue, out var previous) && previous.ClockNode is { } node)
                {
                    RemoveLocked(previous, successor);
                    freed ??= node;
                }
            }

            if (expired)
            {
                return;
            }

            // Room is made before the new object joins the clock, so it is never the one evicted.
            if (freed is null)
            {
                MakeRoomLocked();
            }

            for (var i = 0; i < indexValues.Length; i++)
            {
                if (indexValues[i] is { } indexValue)
                {
                    view.Indexes[i].Set(indexValue, entry);
                }
            }

            if (freed is null)
            {
                entry.ClockNode = _clock.AddLast(entry);
            }
            else
            {
                freed.Value = entry;
                _clock.AddLast(freed);
                entry.ClockNode = freed;
            }

            if (tags is not null)
            {
                IndexTagsLocked(entry, tags);
            }
        }
    }

    /// <summary>
    /// The common replace: the object is stored under exactly the keys it had, so its entry takes the new state in place
    /// and moves to the young end of the clock; no index changes.
    /// </summary>
    private bool TryRefreshLocked(MemoryEntry entry, string[]? tags)
    {
        var indexValues = entry.IndexValues;
        if (indexValues[0] is not { } primary
            || !entry.View.Indexes[0].TryGet(primary, out var previous)
            || !ReferenceEquals(previous.View, entry.View)
            || previous.ClockNode is not { } node)
        {
            return false;
        }

        for (var i = 0; i < indexValues.Length; i++)
        {
            if (!Equals(previous.IndexValues[i], indexValues[i]))
            {
                return false;
            }
        }

        previous.Refresh(entry.Value, entry.ExpiresAt);
        if (tags is not null || _entryTags.Count != 0)
        {
            RetagLocked(previous, tags);
        }

        _clock.Remove(node);
        _clock.AddLast(node);
        return true;
    }

    private bool Delete(EntityKey key)
    {
        var index = ViewOf(key.EntityType).Indexes[key.Key.Index];
        var indexValue = MemoryKeyIndex.IndexValue(key);
        lock (_writeLock)
        {
            ThrowIfDisposedLocked();
            if (!index.TryGet(indexValue, out var entry))
            {
                return false;
            }

            RemoveLocked(entry);
            return true;
        }
    }

    private void RemoveExpired(MemoryEntry entry)
    {
        lock (_writeLock)
        {
            // A put may have refreshed the entry since the reader found it expired.
            if (entry.ClockNode is not null && entry.ExpiresAt != long.MaxValue && Now() >= entry.ExpiresAt)
            {
                RemoveLocked(entry);
                _expirations++;
            }
        }
    }

    private void RemoveLocked(MemoryEntry entry) => RemoveLocked(entry, successor: null);

    /// <summary>Removes an object from every index and the clock; entries the <paramref name="successor"/> files under the same value of the same index are left for it to overwrite.</summary>
    private void RemoveLocked(MemoryEntry entry, MemoryEntry? successor)
    {
        if (entry.ClockNode is null)
        {
            return;
        }

        var sameView = successor is not null && ReferenceEquals(successor.View, entry.View);
        for (var i = 0; i < entry.IndexValues.Length; i++)
        {
            if (entry.IndexValues[i] is { } indexValue && !(sameView && Equals(successor!.IndexValues[i], indexValue)))
            {
                entry.View.Indexes[i].RemoveIf(indexValue, entry);
            }
        }

        _clock.Remove(entry.ClockNode);
        entry.ClockNode = null;
        if (_entryTags.Count != 0 && _entryTags.Remove(entry, out var tags))
        {
            UnindexTagsLocked(entry, tags);
        }
    }

    /// <summary>
    /// Evicts until one more object fits. The CLOCK approximation of least-recently-used: an object hit since the hand
    /// last passed gets a second chance, so a hit costs one flag write instead of a list move under a lock. Expired
    /// objects near the hand go first.
    /// </summary>
    private void MakeRoomLocked()
    {
        var now = Now();
        for (var swept = 0; swept < 2 && _clock.First is { } head && head.Value.ExpiresAt <= now; swept++)
        {
            RemoveLocked(head.Value);
            _expirations++;
        }

        var budget = _clock.Count * 2;
        while (_clock.Count >= _sizeLimit && budget-- > 0)
        {
            var head = _clock.First!;
            var entry = head.Value;
            if (entry.Accessed && entry.ExpiresAt > now)
            {
                entry.Accessed = false;
                _clock.RemoveFirst();
                _clock.AddLast(head);
            }
            else
            {
                RemoveLocked(entry);
                if (entry.ExpiresAt <= now)
                {
                    _expirations++;
                }
                else
                {
                    _sizeEvictions++;
                }
            }
        }
    }

    private long ToClockTicks(TimeSpan duration)
    {
        var ticks = duration.Ticks * (double)_clockFrequency / TimeSpan.TicksPerSecond;
        return ticks >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)ticks;
    }
}
