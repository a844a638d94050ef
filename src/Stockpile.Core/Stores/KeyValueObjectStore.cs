using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stockpile.Internal;

namespace Stockpile;

/// <summary>
/// A base for stores that keep bytes under string keys (Redis, a distributed cache, files). A store implements three
/// primitives on encoded keys (<see cref="ReadAsync"/>, <see cref="WriteAsync"/>, <see cref="RemoveAsync"/>) and gets
/// look-ups by any key, batches, lifetimes and serialization for free.
/// </summary>
/// <remarks>
/// <para>An object is kept under its primary key's canonical encoding (with <see cref="KeyValueObjectStoreOptions.KeyPrefix"/>);
/// each alternate key holds a pointer to it. A look-up by an alternate key follows the pointer and checks that the
/// object still has that alternate key, so a stale pointer is a miss, never a wrong answer. Putting an object removes
/// its old alternate pointers; taking an alternate key another object held evicts that other object.</para>
/// <para>Bytes that cannot be read back (corrupt, or a type that changed) are a miss: they are removed and logged,
/// never thrown to the caller. Stored bytes name the type they hold; only the type a key files (and, in a polymorphic
/// store, types derived from it) is ever deserialized, by gets, puts and deletes alike.</para>
/// <para>A store that holds resources implements <see cref="IDisposable"/> (or <see cref="IAsyncDisposable"/>) and
/// calls <see cref="TryMarkDisposed"/> when disposed: from then on every operation throws
/// <see cref="ObjectDisposedException"/> before touching the primitives.</para>
/// <para>The batch primitives loop over the single ones; a store that can do a batch in one round trip overrides them.
/// The default put and delete take several round trips and are not atomic: a store shared by many processes that
/// needs atomicity overrides <see cref="ObjectStore.PutCoreAsync"/> and <see cref="ObjectStore.DeleteCoreAsync"/>
/// (the Redis store runs scripts).</para>
/// </remarks>
public abstract partial class KeyValueObjectStore : ObjectStore
{
    private readonly LifetimePolicy _lifetimes;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="KeyValueObjectStore"/> class.</summary>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    protected KeyValueObjectStore(KeyValueObjectStoreOptions options, ILogger? logger = null)
        : base((options ?? throw new ArgumentNullException(nameof(options))).Name, options.Polymorphic)
    {
        KeyPrefix = options.KeyPrefix ?? "";
        Serializer = options.Serializer ?? SystemTextJsonStockpileSerializer.Default;
        TimeProvider = options.TimeProvider ?? TimeProvider.System;
        _lifetimes = new LifetimePolicy(options.DefaultLifetime, options.LifetimeSelector);
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the prefix of every key the store writes.</summary>
    protected string KeyPrefix { get; }

    /// <summary>Gets the serializer.</summary>
    protected IStockpileSerializer Serializer { get; }

    /// <summary>Gets the clock lifetimes are computed from.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <summary>Gets the logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Gets a value indicating whether <see cref="TryMarkDisposed"/> was called.</summary>
    protected bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Marks the store disposed, so every later operation throws <see cref="ObjectDisposedException"/>; call it first thing when the store is disposed.</summary>
    /// <returns><see langword="true"/> the first time (release the store's resources then); <see langword="false"/> when it was already disposed.</returns>
    protected bool TryMarkDisposed() => Interlocked.Exchange(ref _disposed, 1) == 0;

    /// <summary>Throws <see cref="ObjectDisposedException"/> when the store was disposed; for a derived store's own entry points.</summary>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    /// <summary>Reads the bytes under a key.</summary>
    /// <param name="key">The full key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The bytes, or <see langword="null"/> when there are none.</returns>
    protected abstract ValueTask<byte[]?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes bytes under a key, replacing what was there, with a time to live set together with the value.</summary>
    /// <param name="write">The key, bytes and time to live.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the bytes are written.</returns>
    protected abstract ValueTask WriteAsync(KeyValueWrite write, CancellationToken cancellationToken);

    /// <summary>Removes a key.</summary>
    /// <param name="key">The full key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when the key existed.</returns>
    protected abstract ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken);

    /// <summary>Reads many keys. The default calls <see cref="ReadAsync"/> once per key.</summary>
    /// <param name="keys">The full keys.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The bytes per key, in order, <see langword="null"/> where there are none.</returns>
    protected virtual async ValueTask<byte[]?[]> ReadManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var results = new byte[]?[keys.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = await ReadAsync(keys[i], cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>Writes many keys. The default calls <see cref="WriteAsync"/> once per key.</summary>
    /// <param name="writes">The writes.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when every write is done.</returns>
    protected virtual async ValueTask WriteManyAsync(IReadOnlyList<KeyValueWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
        {
            await WriteAsync(write, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes many keys. The default calls <see cref="RemoveAsync"/> once per key.</summary>
    /// <param name="keys">The full keys.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>How many existed.</returns>
    protected virtual async ValueTask<int> RemoveManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var removed = 0;
        foreach (var key in keys)
        {
            removed += await RemoveAsync(key, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        return removed;
    }

    /// <summary>Gets the full key an object is kept under for a look-up: the prefix and the canonical encoding.</summary>
    /// <param name="key">The look-up.</param>
    /// <returns>The full key.</returns>
    /// <remarks>A store overrides it to lay its keys out differently (the Redis store wraps the canonical encoding so that a prefix is a namespace).</remarks>
    protected virtual string StorageKey(EntityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return KeyPrefix + key.Encode(IsPolymorphic);
    }

    /// <summary>Gets an object's time to live from the store's lifetime policy.</summary>
    /// <param name="item">The object.</param>
    /// <returns>The time to live; <see langword="null"/> for ever; zero or less when already expired.</returns>
    protected TimeSpan? TimeToLive(object item) => _lifetimes.TimeToLive(item, TimeProvider);
}
