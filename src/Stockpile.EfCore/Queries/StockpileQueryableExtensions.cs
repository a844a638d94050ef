using System.Linq.Expressions;
using System.Reflection;
using Stockpile.Internal;

namespace Stockpile;

/// <summary>Caches the result of an EF Core query until a commit changes a table it read.</summary>
/// <remarks>
/// <para><c>await db.Products.Where(p =&gt; p.Price &gt; min).OrderBy(p =&gt; p.Name).Cached().ToListAsync()</c>: the
/// first run reads the database and keeps the result; the next run of the same query with the same parameter values
/// answers from the cache. Any execution works: <c>ToList(Async)</c>, <c>First(OrDefault)(Async)</c>,
/// <c>Single(Async)</c>, <c>Count(Async)</c>, <c>Any(Async)</c>, <c>Sum</c>/<c>Min</c>/<c>Max</c>, projections,
/// <c>Include</c>, joins, and the synchronous forms. Put <c>Cached()</c> on the outer query, after <c>Include</c>.</para>
/// <para>The key is the query's shape and every parameter value (closure variables, constants): the same across
/// processes, so instances share entries through Redis; two queries that differ in shape or in any value never share
/// one. The result records the tables its SQL read (learned from the first execution); once a commit changes one of
/// them (<c>SaveChanges</c>, <c>ExecuteUpdate</c>/<c>ExecuteDelete</c>, raw SQL through the context), the result is
/// unreachable on every tier and instance. Nothing is dropped after a rollback.</para>
/// <para>A cached query returns <b>untracked</b> entities (it runs as <c>AsNoTracking()</c>); asking for tracking
/// with <c>AsTracking()</c> throws. Each call returns its own copy: changing it never changes the cache.</para>
/// <para>The database answers, and nothing is stored, inside <see cref="StockpileCaching.Disable"/> and inside a
/// transaction that has written (or any <see cref="System.Transactions.TransactionScope"/>); inside a transaction that has
/// not written, hits are served but a miss is not stored (the transaction may see an older snapshot).</para>
/// <para>The context needs <c>AddStockpileInterceptor(...)</c> and a cache: <c>AddCache()</c>/<c>AddRedisCache()</c>
/// in the container, or <see cref="StockpileInterceptorOptions.QueryCache"/>.</para>
/// </remarks>
public static class StockpileQueryableExtensions
{
    private static readonly StockpileQueryOptions s_defaults = new();

    /// <summary>Caches the query's result in the default cache, for the cache's default expiration.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The query.</param>
    /// <returns>The query, cached.</returns>
    /// <exception cref="InvalidOperationException">The query does not come from a context with the Stockpile interceptor.</exception>
    public static IQueryable<T> Cached<T>(this IQueryable<T> source) => source.Cached(s_defaults);

    /// <summary>Caches the query's result in the default cache for at most <paramref name="expiration"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The query.</param>
    /// <param name="expiration">How long the result is kept at most.</param>
    /// <returns>The query, cached.</returns>
    /// <exception cref="InvalidOperationException">The query does not come from a context with the Stockpile interceptor.</exception>
    public static IQueryable<T> Cached<T>(this IQueryable<T> source, TimeSpan expiration) =>
        source.Cached(new StockpileQueryOptions { Expiration = expiration });

    /// <summary>Caches the query's result as <paramref name="options"/> say.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The query.</param>
    /// <param name="options">Expiration, tags and cache; read when the query runs.</param>
    /// <returns>The query, cached.</returns>
    /// <exception cref="InvalidOperationException">The query does not come from a context with the Stockpile interceptor.</exception>
    public static IQueryable<T> Cached<T>(this IQueryable<T> source, StockpileQueryOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
#pragma warning disable EF1001 // The provider Stockpile puts in place of EF Core's (StockpileEntityQueryProvider).
        if (source.Provider is not StockpileEntityQueryProvider provider)
        {
            throw new InvalidOperationException(EfExceptionMessages.QueryNotIntercepted(source.ElementType));
        }

        return provider.CreateQuery<T>(Expression.Call(null, Marker<T>.Method, source.Expression, Expression.Constant(options)));
#pragma warning restore EF1001
    }

    /// <summary>The <see cref="Cached{T}(IQueryable{T}, StockpileQueryOptions)"/> method the query carries, made once per element type.</summary>
    private static class Marker<T>
    {
        public static readonly MethodInfo Method = CachedQueryMarker.Definition.MakeGenericMethod(typeof(T));
    }
}
