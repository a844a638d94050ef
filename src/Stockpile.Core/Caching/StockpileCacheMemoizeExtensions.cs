using Stockpile.Internal.Caching;

namespace Stockpile;

/// <summary>
/// Wraps functions so that their results are cached: each call's key is made of a stable name for the function and
/// every argument (<c>memo:</c> followed by their canonical encoding), so calls with equal arguments share one result
/// in every process, and two functions or two argument lists never share a key.
/// </summary>
/// <remarks>
/// Arguments must be of the types a key may hold (integers, string, <see cref="Guid"/>, enums, bool, char, decimal,
/// dates and times) and not null; any other argument throws an <see cref="ArgumentException"/> naming the function and
/// the argument. Concurrent calls with equal arguments run the function once (see
/// <see cref="StockpileCacheExtensions.GetOrCreateAsync{TState, T}"/>).
/// </remarks>
public static class StockpileCacheMemoizeExtensions
{
    /// <summary>Memoizes a function of no arguments.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="name">A name for the function, stable across processes and unique among memoized functions.</param>
    /// <param name="function">The function.</param>
    /// <param name="options">Expiration and tags of the results.</param>
    /// <returns>The memoized function.</returns>
    public static Func<CancellationToken, ValueTask<TResult>> Memoize<TResult>(this IStockpileCache cache, string name, Func<CancellationToken, ValueTask<TResult>> function, StockpileCacheEntryOptions? options = null)
    {
        Check(cache, name, function);
        return ct => cache.GetOrCreateAsync(MemoKeys.For(name), function, static (f, c) => f(c), options, ct);
    }

    /// <summary>Memoizes a function of one argument.</summary>
    /// <typeparam name="TArg">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="name">A name for the function, stable across processes and unique among memoized functions.</param>
    /// <param name="function">The function.</param>
    /// <param name="options">Expiration and tags of the results.</param>
    /// <returns>The memoized function.</returns>
    public static Func<TArg, CancellationToken, ValueTask<TResult>> Memoize<TArg, TResult>(this IStockpileCache cache, string name, Func<TArg, CancellationToken, ValueTask<TResult>> function, StockpileCacheEntryOptions? options = null)
    {
        Check(cache, name, function);
        return (arg, ct) => cache.GetOrCreateAsync(MemoKeys.For(name, arg), (function, arg), static (s, c) => s.function(s.arg, c), options, ct);
    }

    /// <summary>Memoizes a function of two arguments.</summary>
    /// <typeparam name="TArg1">The first argument's type.</typeparam>
    /// <typeparam name="TArg2">The second argument's type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="name">A name for the function, stable across processes and unique among memoized functions.</param>
    /// <param name="function">The function.</param>
    /// <param name="options">Expiration and tags of the results.</param>
    /// <returns>The memoized function.</returns>
    public static Func<TArg1, TArg2, CancellationToken, ValueTask<TResult>> Memoize<TArg1, TArg2, TResult>(this IStockpileCache cache, string name, Func<TArg1, TArg2, CancellationToken, ValueTask<TResult>> function, StockpileCacheEntryOptions? options = null)
    {
        Check(cache, name, function);
        return (a1, a2, ct) => cache.GetOrCreateAsync(MemoKeys.For(name, a1, a2), (function, a1, a2), static (s, c) => s.function(s.a1, s.a2, c), options, ct);
    }

    /// <summary>Memoizes a function of three arguments.</summary>
    /// <typeparam name="TArg1">The first argument's type.</typeparam>
    /// <typeparam name="TArg2">The second argument's type.</typeparam>
    /// <typeparam name="TArg3">The third argument's type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="name">A name for the function, stable across processes and unique among memoized functions.</param>
    /// <param name="function">The function.</param>
    /// <param name="options">Expiration and tags of the results.</param>
    /// <returns>The memoized function.</returns>
    public static Func<TArg1, TArg2, TArg3, CancellationToken, ValueTask<TResult>> Memoize<TArg1, TArg2, TArg3, TResult>(this IStockpileCache cache, string name, Func<TArg1, TArg2, TArg3, CancellationToken, ValueTask<TResult>> function, StockpileCacheEntryOptions? options = null)
    {
        Check(cache, name, function);
        return (a1, a2, a3, ct) => cache.GetOrCreateAsync(MemoKeys.For(name, a1, a2, a3), (function, a1, a2, a3), static (s, c) => s.function(s.a1, s.a2, s.a3, c), options, ct);
    }

    /// <summary>Memoizes a synchronous function of one argument.</summary>
    /// <typeparam name="TArg">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="name">A name for the function, stable across processes and unique among memoized functions.</param>
    /// <param name="function">The function.</param>
    /// <param name="options">Expiration and tags of the results.</param>
    /// <returns>The memoized function, asynchronous since the cache is.</returns>
    public static Func<TArg, CancellationToken, ValueTask<TResult>> Memoize<TArg, TResult>(this IStockpileCache cache, string name, Func<TArg, TResult> function, StockpileCacheEntryOptions? options = null)
    {
        Check(cache, name, function);
        return (arg, ct) => cache.GetOrCreateAsync(MemoKeys.For(name, arg), (function, arg), static (s, _) => new ValueTask<TResult>(s.function(s.arg)), options, ct);
    }

    private static void Check(IStockpileCache cache, string name, Delegate function)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(function);
    }
}
