using System.ComponentModel;

namespace Stockpile;

/// <summary>
/// A cache of any serializable value under a string key, beside the entity stores: get-or-create with stampede
/// protection, batch get-or-create, tags, counters and the usual cache-manager operations.
/// </summary>
/// <remarks>
/// <para>Values of immutable types (strings, primitives, and sealed types marked
/// <see cref="System.ComponentModel.ImmutableObjectAttribute"/>) are kept by reference; a flat mutable class (every field
/// an immutable value) is kept as a private copy and copied field by field on every read; other values are copied
/// through the serializer on the way in and out. Either way a caller changing its copy never changes the cache.</para>
/// <para>A hit is answered synchronously from the process memory. The interface is shaped like
/// <c>IMemoryCache</c>: its hot core, <see cref="TryGetLocal"/>, is not generic, and the reads callers make,
/// <see cref="StockpileCacheExtensions.GetAsync{T}"/> and
/// <see cref="StockpileCacheExtensions.GetOrCreateAsync{TState, T}"/>, are extension methods that try it first and reach
/// the interface's generic members (<see cref="GetCoreAsync{T}"/>, <see cref="GetOrCreateCoreAsync{TState, T}"/>) only
/// when memory cannot answer. A hit through the interface so costs no run-time dispatch of a generic method (about 7 ns
/// of a 25–35 ns hit; docs/benchmarks.md). <see cref="StockpileCache"/>, the implementation, is registered beside the
/// interface and has the same reads as instance methods.</para>
/// <para>Implementing or mocking the interface: the extensions are not virtual, so a mock sets up
/// <see cref="GetCoreAsync{T}"/> and <see cref="GetOrCreateCoreAsync{TState, T}"/>; <see cref="TryGetLocal"/>'s default
/// answers <see langword="false"/> (no process memory), which sends every read to them.</para>
/// <para>Expirations in the past store nothing and keep the old value. A missing key reads as <see langword="default"/>.</para>
/// </remarks>
public interface IStockpileCache
{
    /// <summary>
    /// Reads the value this process's memory holds under a key, synchronously and without reaching a shared tier: the
    /// non-generic core every read through the interface tries first.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">When this returns <see langword="true"/>, the value: the stored instance of an immutable type, a
    /// copy of its own for the caller of a flat mutable one, or <see langword="null"/> for a stored <see langword="null"/>;
    /// otherwise <see langword="null"/>.</param>
    /// <returns>
    /// <see langword="true"/> when memory answered; <see langword="false"/> when only <see cref="GetCoreAsync{T}"/> can: a
    /// miss in memory (the value may be in a shared tier), a value kept serialized, a value with tags (their versions
    /// are checked asynchronously), a flow where caching is disabled (<see cref="StockpileCaching"/>), or a cache without a
    /// process memory level. The default implementation always answers <see langword="false"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is longer than <see cref="StockpileCacheOptions.MaximumKeyLength"/>.</exception>
    bool TryGetLocal(string key, out object? value)
    {
        value = null;
        return false;
    }

    /// <summary>
    /// Gets a value; <see langword="default"/> on a miss: the whole read, every level included. Callers use
    /// <see cref="StockpileCacheExtensions.GetAsync{T}"/>, which answers a memory hit through <see cref="TryGetLocal"/>
    /// first and calls this otherwise.
    /// </summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value, or <see langword="default"/>.</returns>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    ValueTask<T?> GetCoreAsync<T>(string key, CancellationToken cancellationToken = default);

    /// <summary>Gets a value, or <paramref name="defaultValue"/> on a miss (nothing is stored).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">What a miss returns.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value or the default.</returns>
    ValueTask<T> GetOrDefaultAsync<T>(string key, T defaultValue, CancellationToken cancellationToken = default);

    /// <summary>Gets a value, or what <paramref name="defaultFactory"/> returns on a miss (nothing is stored).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="defaultFactory">Makes the default on a miss.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value or the default.</returns>
    ValueTask<T> GetOrDefaultAsync<T>(string key, Func<CancellationToken, ValueTask<T>> defaultFactory, CancellationToken cancellationToken = default);

    /// <summary>Gets a value indicating whether the key holds a value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    ValueTask<bool> ContainsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores a value, replacing what the key held.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Expiration and tags; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    ValueTask SetAsync<T>(string key, T value, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Stores a value until a point in time; a point in the past stores nothing and keeps the old value.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="expiresAt">When the value expires.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    ValueTask SetAsync<T>(string key, T value, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Stores a value that never expires.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    ValueTask SetForeverAsync<T>(string key, T value, CancellationToken cancellationToken = default);

    /// <summary>Stores a value only if the key holds none; atomic.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">Expiration and tags; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when the value was stored.</returns>
    ValueTask<bool> AddAsync<T>(string key, T value, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when the key held a value.</returns>
    ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads a value and removes it, atomically.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value, or <see langword="default"/> when there was none.</returns>
    ValueTask<T?> PullAsync<T>(string key, CancellationToken cancellationToken = default);

    /// <summary>Adds to an integer, atomically; a missing key starts at 0, and the remaining lifetime is kept.</summary>
    /// <param name="key">The key.</param>
    /// <param name="delta">How much to add (negative to subtract).</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="InvalidOperationException">The key holds a value that is not an integer.</exception>
    ValueTask<long> IncrementAsync(string key, long delta = 1, CancellationToken cancellationToken = default);

    /// <summary>Removes every value of this cache's namespace, and nothing else.</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the cache is empty.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes every value carrying the tag, on every tier, with one write whatever their number; with entities beside
    /// the cache, also every entity carrying the tag from every cache tier (see <see cref="StockpileEntityTags"/>).
    /// </summary>
    /// <param name="tag">The tag.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the values are unreachable.</returns>
    ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets a value, or makes and stores it on a miss: the whole get-or-create, every level included (see
    /// <see cref="StockpileCacheExtensions.GetOrCreateAsync{TState, T}"/>, which callers use: it answers a memory hit
    /// through <see cref="TryGetLocal"/> first and calls this otherwise). Concurrent misses of one key in this process
    /// run the factory once and share its result; a caller that cancels stops waiting without cancelling the others (the
    /// factory is cancelled only when every caller has gone); a factory exception reaches every waiter and nothing is stored.
    /// </summary>
    /// <typeparam name="TState">The state passed to the factory, so it can be a static lambda.</typeparam>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="state">The factory's state.</param>
    /// <param name="factory">Makes the value on a miss.</param>
    /// <param name="options">Expiration and tags of a made value; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value.</returns>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    ValueTask<T> GetOrCreateCoreAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets many values, making all the missing ones with one call of <paramref name="factory"/>, which receives only
    /// the keys that missed. Keys another call is already making are awaited, not made again.
    /// </summary>
    /// <typeparam name="T">The values' type.</typeparam>
    /// <param name="keys">The keys.</param>
    /// <param name="factory">Makes the values of the missing keys; a key it leaves out is not stored and is absent from the result.</param>
    /// <param name="options">Expiration and tags of made values; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The values by key.</returns>
    ValueTask<IReadOnlyDictionary<string, T>> GetOrCreateManyAsync<T>(IEnumerable<string> keys, Func<IReadOnlyList<string>, CancellationToken, ValueTask<IReadOnlyDictionary<string, T>>> factory, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Disables Stockpile's caches (this one, every other, and the entity chains) in the current async flow until the returned scope is disposed.</summary>
    /// <returns>The scope; see <see cref="StockpileCaching.Disable"/> for what it does.</returns>
    IDisposable Disable() => StockpileCaching.Disable();
}
