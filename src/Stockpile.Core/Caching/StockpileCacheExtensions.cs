using System.Runtime.CompilerServices;

namespace Stockpile;

/// <summary>
/// The reads of an <see cref="IStockpileCache"/>: each answers a hit in the process memory through the interface's
/// non-generic <see cref="IStockpileCache.TryGetLocal"/> and calls the interface's generic member only when memory cannot
/// answer, so a hit costs no run-time dispatch of an interface's generic method (the way <c>IMemoryCache</c>'s
/// <c>TryGetValue&lt;TItem&gt;</c> is an extension over a non-generic interface method).
/// </summary>
/// <remarks>
/// <para>On Stockpile's own <see cref="StockpileCache"/> each read calls the sealed class's method of the same name
/// instead (one type check, as the JIT's own guard for the interface call): the same read, whose hit hands the value
/// over without an <c>out</c> parameter between the memory read and the type check (docs/benchmarks.md, "Item 1,
/// session 8").</para>
/// <para>What a read returns is the same either way: the implementation's <see cref="IStockpileCache.GetCoreAsync{T}"/> and
/// <see cref="IStockpileCache.GetOrCreateCoreAsync{TState, T}"/> read memory too, then the shared tiers. A value in
/// memory of another type than the one asked for is left to them (they throw the cache's error naming the key
/// and both types).</para>
/// </remarks>
public static class StockpileCacheExtensions
{
    /// <summary>Gets a value; <see langword="default"/> on a miss.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value, or <see langword="default"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> or <paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is longer than <see cref="StockpileCacheOptions.MaximumKeyLength"/>.</exception>
    /// <exception cref="InvalidOperationException">The key holds a value of another type.</exception>
    public static ValueTask<T?> GetAsync<T>(this IStockpileCache cache, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (cache is StockpileCache stockpile)
        {
            return stockpile.GetAsync<T>(key, cancellationToken);
        }

        return cache.TryGetLocal(key, out var local) && Is(local, out T? value)
            ? new ValueTask<T?>(value)
            : cache.GetCoreAsync<T>(key, cancellationToken);
    }

    /// <summary>
    /// Gets a value, or makes and stores it on a miss. Concurrent misses of one key in this process run the factory
    /// once and share its result; a caller that cancels stops waiting without cancelling the others (the factory is
    /// cancelled only when every caller has gone); a factory exception reaches every waiter and nothing is stored.
    /// </summary>
    /// <typeparam name="TState">The state passed to the factory, so it can be a static lambda.</typeparam>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="key">The key.</param>
    /// <param name="state">The factory's state.</param>
    /// <param name="factory">Makes the value on a miss.</param>
    /// <param name="options">Expiration and tags of a made value; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/>, <paramref name="key"/> or <paramref name="factory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is longer than <see cref="StockpileCacheOptions.MaximumKeyLength"/>.</exception>
    /// <exception cref="InvalidOperationException">The key holds a value of another type.</exception>
    public static ValueTask<T> GetOrCreateAsync<TState, T>(this IStockpileCache cache, string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(factory);
        if (cache is StockpileCache stockpile)
        {
            return stockpile.GetOrCreateAsync(key, state, factory, options, cancellationToken);
        }

        return cache.TryGetLocal(key, out var local) && Is(local, out T? value)
            ? new ValueTask<T>(value!)
            : cache.GetOrCreateCoreAsync(key, state, factory, options, cancellationToken);
    }

    /// <summary>Whether what memory answered reads as a <typeparamref name="T"/>: an instance of it, or a stored <see langword="null"/> (a hit that reads as <see langword="default"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Is<T>(object? local, out T? value)
    {
        if (local is T typed)
        {
            value = typed;
            return true;
        }

        value = default;
        return local is null;
    }
}
