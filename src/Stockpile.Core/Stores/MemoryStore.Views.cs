using Stockpile.Internal.Memory;

namespace Stockpile;

public sealed partial class MemoryStore
{
    private MemoryTypeView ViewOf<T>()
    {
        var views = _viewsBySlot;
        var slot = TypeSlot<T>.Index;
        return (uint)slot < (uint)views.Length && views[slot] is { } view ? view : ViewOf(StockpileEntityType.For<T>());
    }

    private MemoryTypeView ViewOf(StockpileEntityType entityType)
    {
        var views = _viewsBySlot;
        var slot = entityType.Slot;
        return (uint)slot < (uint)views.Length && views[slot] is { } view
            ? view
            : CacheSlot(slot, _viewsByType.TryGetValue(entityType.ClrType, out var known) ? known : CreateView(entityType));
    }

    private MemoryTypeView CreateView(StockpileEntityType entityType)
    {
        lock (_writeLock)
        {
            ThrowIfDisposedLocked();
            if (_viewsByType.TryGetValue(entityType.ClrType, out var existing))
            {
                return existing;
            }

            var indexes = new MemoryKeyIndex[entityType.Keys.Count];
            for (var i = 0; i < indexes.Length; i++)
            {
                var key = entityType.Keys[i];
                var identity = (IsPolymorphic ? key.DeclaringType : entityType.ClrType, key.Name);
                if (!_indexes.TryGetValue(identity, out var index))
                {
                    index = MemoryKeyIndex.Create(key);
                    _indexes.Add(identity, index);
                }

                indexes[i] = index;
            }

            var view = new MemoryTypeView(entityType, indexes);
            _viewsByType[entityType.ClrType] = view;
            return view;
        }
    }

    private MemoryTypeView CacheSlot(int slot, MemoryTypeView view)
    {
        lock (_writeLock)
        {
            ThrowIfDisposedLocked();
            var views = _viewsBySlot;
            if (slot >= views.Length)
            {
                Array.Resize(ref views, Math.Max(slot + 1, views.Length * 2));
            }
            else
            {
                views = (MemoryTypeView?[])views.Clone();
            }

            views[slot] = view;
            Volatile.Write(ref _viewsBySlot, views);
        }

        return view;
    }
}
