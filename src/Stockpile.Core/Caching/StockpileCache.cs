using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Stockpile.Internal.Caching;

namespace Stockpile;

/// <summary>The <see cref="IStockpileCache"/> over Stockpile's tiers: today the in-process tier.</summary>
/// <remarks>
/// The cache speaks to its tier only through atomic primitives (get, set, set-if-absent, remove, take, update, flush,
/// tag versions), each a single command on Redis, so a shared tier can be added below the process one without changing
/// the semantics. The process tier belongs to this cache alone; a shared tier will keep its keys under
/// <see cref="StockpileCacheOptions.KeyPrefix"/>.
/// </remarks>
public sealed partial class StockpileCache : IStockpileCache, IAsyncDisposable, IDisposable
{
    private readonly CacheTier _tier;
    private readonly MemoryCacheTier? _memory;
    private readonly CacheClock _clock;
    private readonly IStockpileSerializer _serializer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _defaultExpiration;
    private readonly int _maximumKeyLength;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="StockpileCache"/> class, in process memory.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public StockpileCache(StockpileCacheOptions? options = null)
        : this(options, static (clock, _, _) => new MemoryCacheTier(clock))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StockpileCache"/> class over the tier <paramref name="createTier"/> builds (given the clock, serializer and options).</summary>
    internal StockpileCache(StockpileCacheOptions? options, Func<CacheClock, IStockpileSerializer, StockpileCacheOptions, CacheTier> createTier)
    {
        options ??= new StockpileCacheOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyPrefix, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaximumKeyLength, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StampedeLockExpiration, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StampedeLockTimeout, TimeSpan.Zero, nameof(options));
        _time = options.TimeProvider ?? TimeProvider.System;
        _serializer = options.Serializer ?? SystemTextJsonStockpileSerializer.Default;
        _defaultExpiration = options.DefaultExpiration;
        _maximumKeyLength = options.MaximumKeyLength;
        _clock = new CacheClock(_time);
        _tier = createTier(_clock, _serializer, options);
        _memory = _tier switch
        {
            MemoryCacheTier memory => memory,
            LayeredCacheTier layered => layered.Memory,
            _ => null,
        };
        _stampedeLock = options.DistributedStampedeLock ? _tier.Locks : null;
        _stampedeLockExpiration = options.StampedeLockExpiration;
        _stampedeLockTimeout = options.StampedeLockTimeout;
        // Only memory over a shared tier writes a made value after the answer (and reads the key's mark for it).
        _writeMadeValuesInBackground = options.WriteMadeValuesInBackground && _tier is LayeredCacheTier;
    }

    /// <inheritdoc/>
    public bool TryGetLocal(string key, out object? value)
    {
        // The interface's hit path (StockpileCacheExtensions): one probe of the process memory, the clock only for a value
        // with a deadline, and a flat mutable value's copy; whatever needs more (tags, bytes, a shared tier) answers false.
        CheckKey(key);
        if (_memory is { } memory && !StockpileCaching.IsDisabled && memory.Get(key) is { } entry)
        {
            if (entry.Plain is { } plain)
            {
                value = plain;
                return true;
            }

            if (entry is { Tags: null, Bytes: null })
            {
                value = entry.Copier is { } copy ? copy(entry.Instance!) : entry.Instance;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <inheritdoc/>
    ValueTask<T?> IStockpileCache.GetCoreAsync<T>(string key, CancellationToken cancellationToken) where T : default => GetAsync<T>(key, cancellationToken);

    /// <summary>Gets a value; <see langword="default"/> on a miss.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value, or <see langword="default"/>.</returns>
    /// <remarks>The same read as <see cref="StockpileCacheExtensions.GetAsync{T}"/> through the interface; on the sealed class the hit path is this method itself.</remarks>
    public ValueTask<T?> GetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        if (StockpileCaching.IsDisabled)
        {
            CheckKey(key);
            return default;
        }

        // The hit path, as get-or-create's: the process memory read synchronously. A memory-only tier has answered for
        // good; over a shared tier a memory miss reads on (the memory level is read again there: a miss's cost is the
        // shared read).
        var near = _memory?.Get(CheckKey(key));
        if (near?.Plain is T plain)
        {
            return new ValueTask<T?>(plain);
        }

        if (near is { Tags: null, Bytes: null, Instance: T stored })
        {
            return new ValueTask<T?>(Handed(near, stored));
        }

        var read = near is not null || ReferenceEquals(_memory, _tier) ? new ValueTask<CacheEntry?>(near) : _tier.GetAsync(CheckKey(key), cancellationToken);
        if (!read.IsCompletedSuccessfully)
        {
            return GetSlowAsync<T>(key, null, read.AsTask(), cancellationToken);
        }

        var entry = read.Result;
        return entry?.Tags is null
            ? new ValueTask<T?>(entry is not null && TryMaterialize<T>(key, entry, out var value) ? value : default)
            : GetSlowAsync<T>(key, entry, null, cancellationToken);
    }

    private async ValueTask<T?> GetSlowAsync<T>(string key, CacheEntry? read, Task<CacheEntry?>? pending, CancellationToken cancellationToken)
    {
        var entry = await LiveAsync(pending is null ? read : await pending.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return entry is not null && TryMaterialize<T>(key, entry, out var value) ? value : default;
    }

    /// <inheritdoc/>
    public async ValueTask<T> GetOrDefaultAsync<T>(string key, T defaultValue, CancellationToken cancellationToken = default)
    {
        var (found, value) = await TryGetAsync<T>(CheckKey(key), cancellationToken).ConfigureAwait(false);
        return found ? value! : defaultValue;
    }

    /// <inheritdoc/>
    public async ValueTask<T> GetOrDefaultAsync<T>(string key, Func<CancellationToken, ValueTask<T>> defaultFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(defaultFactory);
        var (found, value) = await TryGetAsync<T>(CheckKey(key), cancellationToken).ConfigureAwait(false);
        return found ? value! : await defaultFactory(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> ContainsAsync(string key, CancellationToken cancellationToken = default) =>
        !StockpileCaching.IsDisabled && await LiveAsync(await _tier.GetAsync(CheckKey(key), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc/>
    public ValueTask SetAsync<T>(string key, T value, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default) =>
        StoreAsync(CheckKey(key), value, ExpiryOf(options), options?.Tags, cancellationToken);

    /// <inheritdoc/>
    public ValueTask SetAsync<T>(string key, T value, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
        StoreAsync(CheckKey(key), value, expiresAt, null, cancellationToken);

    /// <inheritdoc/>
    public ValueTask SetForeverAsync<T>(string key, T value, CancellationToken cancellationToken = default) =>
        StoreAsync(CheckKey(key), value, null, null, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<bool> AddAsync<T>(string key, T value, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        if (StockpileCaching.IsDisabled)
        {
            // Nothing is stored in a disabled flow; an add that stores nothing says so.
            return false;
        }

        return await EntryAsync(value, ExpiryOf(options), options?.Tags, cancellationToken).ConfigureAwait(false) is { } entry
            && await _tier.AddAsync(key, entry, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default) => _tier.RemoveAsync(CheckKey(key), cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<T?> PullAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        if (StockpileCaching.IsDisabled)
        {
            // Nothing is read in a disabled flow; the key is still removed, as the caller asked.
            await _tier.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
            return default;
        }

        var entry = await LiveAsync(await _tier.TakeAsync(key, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return entry is not null && TryMaterialize<T>(key, entry, out var value) ? value : default;
    }

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _tier.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// With entities beside the cache (a chain registered by <c>AddStockpile</c> in the same container), the entities
    /// carrying the tag are removed from every cache tier too (<see cref="ObjectStore.RemoveByTagAsync"/>), after the
    /// cache's values.
    /// </remarks>
    public ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        return Entities is null ? _tier.BumpTagAsync(tag, cancellationToken) : RemoveWithEntitiesAsync(tag, Entities, cancellationToken);
    }

    /// <summary>Gets or sets where the entities beside this cache are (the container's chain), resolved on the first removal by tag; <see langword="null"/> for none.</summary>
    internal Func<ObjectStore?>? Entities { get; set; }

    private async ValueTask RemoveWithEntitiesAsync(string tag, Func<ObjectStore?> entities, CancellationToken cancellationToken)
    {
        await _tier.BumpTagAsync(tag, cancellationToken).ConfigureAwait(false);
        if (entities() is { } store)
        {
            await store.RemoveByTagAsync(tag, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="StockpileCaching.Disable"/>
    public IDisposable Disable() => StockpileCaching.Disable();

    /// <summary>Lets go of what the cache holds outside the process: a shared tier's subscription to the other instances' writes.</summary>
    /// <remarks>The container that registered the cache disposes it. The process memory is not cleared; a disposed cache should not be used.</remarks>
    /// <returns>A task that completes once the subscription is dropped.</returns>
    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? _tier.DisposeAsync() : default;

    /// <summary>Starts letting go of what the cache holds outside the process, without waiting (for containers disposed synchronously).</summary>
    public void Dispose() => _ = DisposeAsync().AsTask();

    /// <summary>Reads a value and says whether there was one (a stored default is a hit).</summary>
    internal ValueTask<(bool Found, T? Value)> TryGetValueAsync<T>(string key, CancellationToken cancellationToken) =>
        TryGetAsync<T>(CheckKey(key), cancellationToken);

    /// <summary>Gets the tier the cache speaks to (for the packages that build one, and their tests).</summary>
    internal CacheTier Tier => _tier;

    /// <summary>Whether the key is short enough for this cache.</summary>
    internal bool Accepts(string key) => key is not null && key.Length <= _maximumKeyLength;

    private string CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length > _maximumKeyLength)
        {
            ThrowKeyTooLong(key);
        }

        return key;
    }

    /// <summary>Out of line, so that <see cref="CheckKey"/> stays small enough to inline into every hit path.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowKeyTooLong(string key) =>
        throw new ArgumentException($"Stockpile cache key of {key.Length} characters is longer than MaximumKeyLength ({_maximumKeyLength}).", nameof(key));

    private async ValueTask StoreAsync<T>(string key, T value, DateTimeOffset? expiresAt, IReadOnlyCollection<string>? tags, CancellationToken cancellationToken) =>
        await StoreEntryAsync(key, value, expiresAt, tags, cancellationToken).ConfigureAwait(false);

    /// <summary>Stores the value; returns the entry stored, or <see langword="null"/> when nothing was (a disabled flow, an expiry in the past).</summary>
    private async ValueTask<CacheEntry?> StoreEntryAsync<T>(string key, T value, DateTimeOffset? expiresAt, IReadOnlyCollection<string>? tags, CancellationToken cancellationToken)
    {
        // A disabled flow or a past expiry stores nothing: no tag versions to read.
        var stamps = StockpileCaching.IsDisabled || expiresAt <= _time.GetUtcNow() ? null : await StampsAsync(tags, cancellationToken).ConfigureAwait(false);
        return await StoreStampedAsync(key, value, expiresAt, stamps, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores a value under tag versions read before it was made (<see cref="StampsAsync"/>): a value made while one of
    /// its tags is removed keeps the old version and is never served. Returns the entry stored, or
    /// <see langword="null"/> when nothing was (a disabled flow, an expiry in the past). A value a flight
    /// <paramref name="made"/> may reach a shared level after this returns (<see cref="CacheTier.SetMadeAsync"/>), fenced
    /// by the <paramref name="mark"/> of the flight's read.
    /// </summary>
    private async ValueTask<CacheEntry?> StoreStampedAsync<T>(string key, T value, DateTimeOffset? expiresAt, TagStamp[]? stamps, CancellationToken cancellationToken, bool made = false, object? mark = null)
    {
        if (StockpileCaching.IsDisabled)
        {
            // A disabled flow stores nothing but evicts, so the cache never keeps a value older than this write.
            await _tier.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (expiresAt is { } at && at <= _time.GetUtcNow())
        {
            return null;
        }

        var entry = EntryOf(value, expiresAt, stamps);
        if (made)
        {
            await _tier.SetMadeAsync(key, entry, mark, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _tier.SetAsync(key, entry, cancellationToken).ConfigureAwait(false);
        }
        return entry;
    }

    /// <summary>
    /// What a flight hands its waiters: the entry stored, from which each waiter materializes its own value (so no two
    /// callers share a mutable object, as no caller shares one with the cache), or the value itself when nothing was stored.
    /// </summary>
    private static object? ForWaiters<T>(T value, CacheEntry? stored) => stored is not null ? stored : value;

    /// <summary>A waiter's own value from what its flight handed over (see <see cref="ForWaiters"/>).</summary>
    private T Received<T>(string key, object? made) => made is CacheEntry entry ? Materialize<T>(key, entry)! : (T)made!;

    private DateTimeOffset? ExpiryOf(StockpileCacheEntryOptions? options)
    {
        var expiration = options?.Expiration ?? _defaultExpiration;
        return expiration == Timeout.InfiniteTimeSpan ? null : _time.GetUtcNow() + expiration;
    }

    private async ValueTask<(bool Found, T? Value)> TryGetAsync<T>(string key, CancellationToken cancellationToken)
    {
        if (StockpileCaching.IsDisabled)
        {
            return (false, default);
        }

        var entry = await LiveAsync(await _tier.GetAsync(key, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return entry is not null && TryMaterialize<T>(key, entry, out var value) ? (true, value) : (false, default);
    }

    /// <summary>The entry unless one of its tags was removed since it was written.</summary>
    private async ValueTask<CacheEntry?> LiveAsync(CacheEntry? entry, CancellationToken cancellationToken)
    {
        if (entry?.Tags is not { Length: > 0 } stamps)
        {
            return entry;
        }

        return await _tier.AreCurrentAsync(stamps, cancellationToken).ConfigureAwait(false) ? entry : null;
    }

    /// <summary>The entry to store, or <see langword="null"/> when it would already be expired (the old value stays).</summary>
    private async ValueTask<CacheEntry?> EntryAsync<T>(T value, DateTimeOffset? expiresAt, IReadOnlyCollection<string>? tags, CancellationToken cancellationToken)
    {
        if (expiresAt is { } at && at <= _time.GetUtcNow())
        {
            return null;
        }

        return EntryOf(value, expiresAt, await StampsAsync(tags, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The current versions of the tags (each once), to stamp a value with; <see langword="null"/> without tags.</summary>
    private async ValueTask<TagStamp[]?> StampsAsync(IReadOnlyCollection<string>? tags, CancellationToken cancellationToken)
    {
        if (tags is not { Count: > 0 })
        {
            return null;
        }

        var names = tags.Distinct(StringComparer.Ordinal).ToArray();
        var versions = await _tier.GetTagVersionsAsync(names, cancellationToken).ConfigureAwait(false);
        var stamps = new TagStamp[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            stamps[i] = new TagStamp(names[i], versions[i]);
        }

        return stamps;
    }

    /// <summary>The entry holding a value: by reference when immutable, as a private copy when flat, else serialized.</summary>
    private CacheEntry EntryOf<T>(T value, DateTimeOffset? expiresAt, TagStamp[]? stamps)
    {
        if (value is null || CacheValues.IsImmutable(value.GetType()))
        {
            return new CacheEntry(value, null, expiresAt, _clock.DeadlineOf(expiresAt), stamps);
        }

        return CacheValues.CopierOf(value.GetType()) is { } copier
            ? new CacheEntry(copier(value), null, expiresAt, _clock.DeadlineOf(expiresAt), stamps, copier)
            : new CacheEntry(null, Serialize(value), expiresAt, _clock.DeadlineOf(expiresAt), stamps);
    }

    private byte[]? Serialize<T>(T value)
    {
        if (value is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        _serializer.Serialize(buffer, value, typeof(T));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Materializes a value read from the tier; <see langword="false"/> when its bytes cannot be read as a
    /// <typeparamref name="T"/> (foreign or damaged bytes in a shared tier, or a type that changed shape): a miss, which
    /// the next store replaces. A value of another type kept by reference is still the caller's mistake, and throws.
    /// </summary>
    private bool TryMaterialize<T>(string key, CacheEntry entry, out T? value)
    {
        try
        {
            value = Materialize<T>(key, entry);
            return true;
        }
        catch (StockpileSerializationException) when (entry.Bytes is not null)
        {
            value = default;
            return false;
        }
    }

    /// <summary>The entry when its value can be read as a <typeparamref name="T"/> (see <see cref="TryMaterialize"/>), else <see langword="null"/>: for entries handed to a flight's waiters.</summary>
    private CacheEntry? Readable<T>(string key, CacheEntry? entry) =>
        entry is null || entry.Bytes is null || TryMaterialize<T>(key, entry, out _) ? entry : null;

    private T? Materialize<T>(string key, CacheEntry entry)
    {
        if (entry.Bytes is null)
        {
            var instance = entry.Instance;
            if (instance is not T typed)
            {
                return instance is null ? default
                    : throw new InvalidOperationException($"Stockpile cache key '{key}' holds a '{instance.GetType().Name}', not a '{typeof(T).Name}'.");
            }

            return Handed(entry, typed);
        }

        return (T)_serializer.Deserialize(entry.Bytes, typeof(T));
    }

    /// <summary>What a caller gets of an entry's instance, already found to be a <typeparamref name="T"/>: the instance itself, or its copy when the cache keeps a private one.</summary>
    private static T Handed<T>(CacheEntry entry, T instance)
    {
        if (entry.Copier is not { } copy)
        {
            return instance;
        }

        // The copy is an instance of the stored object's own class, which was just found to be a T: no second cast.
        var copied = copy(instance!);
        return Unsafe.As<object, T>(ref copied);
    }
}
