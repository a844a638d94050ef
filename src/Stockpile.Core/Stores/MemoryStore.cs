using Stockpile.Internal;
using Stockpile.Internal.Memory;

namespace Stockpile;

/// <summary>
/// An in-process store: thread-safe, every object found by each of its keys, with lifetimes and a size limit.
/// </summary>
/// <remarks>
/// <para>Reads take no lock: a hit by primary key is one array read and one dictionary look-up, and allocates nothing.
/// Writes (put, delete, eviction) take one lock per store, so an object's entries under all its keys change together:
/// deleting by any key removes every entry; a put that changes an alternate key drops the old entry; a put whose
/// alternate key another object holds evicts that other object, since the newest write wins.</para>
/// <para>By default callers get the stored instance (see <see cref="MemoryStoreOptions.CopyObjects"/>).</para>
/// <para>Disposing the store releases everything it holds; every later operation throws
/// <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed partial class MemoryStore : ObjectStore, IDisposable
{
    private readonly object _writeLock = new();
    private readonly Dictionary<(Type Identity, string Key), MemoryKeyIndex> _indexes = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, MemoryTypeView> _viewsByType = new();
    private readonly LinkedList<MemoryEntry> _clock = new();
    private readonly LifetimePolicy _lifetimes;
    private readonly TimeProvider _time;
    private readonly bool _tickClock;
    private readonly long _clockFrequency;
    private readonly int _sizeLimit;
    private readonly IStockpileSerializer? _copier;
    private MemoryTypeView?[] _viewsBySlot = new MemoryTypeView?[16];
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="MemoryStore"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public MemoryStore(MemoryStoreOptions? options = null)
        : base((options ??= new MemoryStoreOptions()).Name, options.Polymorphic)
    {
        if (options.SizeLimit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SizeLimit, "MemoryStoreOptions.SizeLimit must be at least 1, or null for no limit.");
        }

        _lifetimes = new LifetimePolicy(options.DefaultLifetime, options.LifetimeSelector);
        _time = options.TimeProvider ?? TimeProvider.System;

        // Every hit on an object with a lifetime reads the clock. The precise system clock costs more than the rest of a
        // hit, so with it the store measures expiry in Environment.TickCount64 milliseconds (monotonic, precise to the
        // OS tick); any other TimeProvider (a test's fake clock) is used as it is.
        _tickClock = ReferenceEquals(_time, TimeProvider.System);
        _clockFrequency = _tickClock ? 1_000 : _time.TimestampFrequency;
        _sizeLimit = options.SizeLimit ?? int.MaxValue;
        _copier = options.CopyObjects ? options.Serializer ?? SystemTextJsonStockpileSerializer.Default : null;
    }

    /// <inheritdoc/>
    public override bool IsProcessLocal => true;

    /// <summary>Gets how many objects the store holds (expired ones included until they are swept).</summary>
    public int Count
    {
        get
        {
            lock (_writeLock)
            {
                return _clock.Count;
            }
        }
    }

    /// <inheritdoc/>
    protected override ValueTask<T?> GetByPrimaryKeyCoreAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class
    {
        // The hot path: no EntityKey, no boxing, no string; falls back when TKey is not the key's exact type.
        if (ViewOf<T>().Indexes[0] is MemoryKeyIndex<TKey> index)
        {
            return index.Entries.TryGetValue(primaryKey, out var entry)
                ? new ValueTask<T?>(Read(entry) as T)
                : default;
        }

        return base.GetByPrimaryKeyCoreAsync<T, TKey>(primaryKey, cancellationToken);
    }

    /// <inheritdoc/>
    protected override ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        var index = ViewOf(key.EntityType).Indexes[key.Key.Index];
        return new ValueTask<object?>(index.TryGet(MemoryKeyIndex.IndexValue(key), out var entry) ? Read(entry) : null);
    }

    /// <inheritdoc/>
    protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken)
    {
        Put(entityType, item);
        return default;
    }

    /// <inheritdoc/>
    protected override ValueTask PutManyCoreAsync(IReadOnlyList<object> items, CancellationToken cancellationToken)
    {
        // Every copy is made before anything is written, so a serialization failure writes nothing.
        var prepared = new (MemoryEntry Entry, bool Expired, string[]? Tags)[items.Count];
        for (var i = 0; i < prepared.Length; i++)
        {
            prepared[i] = Prepare(StockpileEntityType.For(items[i].GetType()), items[i]);
        }

        foreach (var put in prepared)
        {
            Commit(put);
        }

        return default;
    }

    /// <inheritdoc/>
    protected override ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
        new(Delete(key));

    /// <summary>Releases every object the store holds; later operations throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            // The hot path finds views through the slot array: emptying it sends every later call to CreateView, which
            // throws, so a hit pays nothing for the check.
            _disposed = true;
            Volatile.Write(ref _viewsBySlot, []);
            _viewsByType.Clear();
            foreach (var index in _indexes.Values)
            {
                index.Clear();
            }

            _indexes.Clear();
            _clock.Clear();
            _tagIndex.Clear();
            _entryTags.Clear();
        }
    }

    /// <inheritdoc/>
    protected override ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken)
    {
        lock (_writeLock)
        {
            ThrowIfDisposedLocked();
            for (var node = _clock.First; node is not null;)
            {
                var next = node.Next;
                if (entityType is null || entityType.ClrType.IsInstanceOfType(node.Value.Value))
                {
                    RemoveLocked(node.Value);
                }

                node = next;
            }
        }

        return default;
    }

    private object? Read(MemoryEntry entry)
    {
        if (entry.ExpiresAt != long.MaxValue && Now() >= entry.ExpiresAt)
        {
            RemoveExpired(entry);
            return null;
        }

        if (!entry.Accessed)
        {
            entry.Accessed = true;
        }

        return _copier is null ? entry.Value : Copy(entry.Value);
    }

    private void ThrowIfDisposedLocked() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The store's clock, in units of <see cref="_clockFrequency"/> per second.</summary>
    private long Now() => _tickClock ? Environment.TickCount64 : _time.GetTimestamp();

    private object Copy(object value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var type = StockpileEntityType.For(value.GetType()).ClrType; // a proxy is copied as its entity type
        _copier!.Serialize(buffer, value, type);
        return _copier.Deserialize(buffer.WrittenSpan, type);
    }
}
