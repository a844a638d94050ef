using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Stockpile.Internal;

namespace Stockpile;

/// <summary>
/// Compiled cached queries, beside EF Core's <see cref="EF.CompileAsyncQuery{TContext, TResult}(Expression{Func{TContext, IQueryable{TResult}}})"/>:
/// the query's shape is worked out once, so a hit costs the arguments' key, one cache read and a copy of the result.
/// </summary>
/// <remarks>
/// <para><c>static readonly Func&lt;ShopContext, decimal, CancellationToken, Task&lt;List&lt;Product&gt;&gt;&gt; s_page =
/// StockpileQuery.CompileAsyncQuery((ShopContext db, decimal min) =&gt; db.Products.Where(p =&gt; p.Price &gt; min).OrderBy(p =&gt; p.Name).Take(20));</c>
/// then <c>await s_page(db, 100m, cancellationToken)</c>. The delegate keeps the result as
/// <see cref="StockpileQueryableExtensions.Cached{T}(IQueryable{T}, StockpileQueryOptions)"/> does, with the same
/// semantics: keyed by the query and its arguments (and the database), dropped once a commit changes a table it read,
/// untracked entities (asking for tracking throws), a copy per call, and the database answering inside
/// <see cref="StockpileCaching.Disable"/> or a transaction that has written.</para>
/// <para><c>CompileAsyncQuery</c> compiles a query returning rows, and its delegate gives the list of them;
/// <c>CompileAsyncScalarQuery</c> compiles one ending in a scalar operator (<c>Count()</c>, <c>FirstOrDefault()</c>,
/// <c>Sum()</c>, <c>Any()</c>), and its delegate gives the value. (Two names, not overloads as in EF Core, where a lambda
/// returning <c>IOrderedQueryable&lt;T&gt;</c> or a <c>DbSet&lt;T&gt;</c> binds to the scalar overload.) The values the query uses are its lambda's
/// parameters, or constants written in it: a query reading a variable (a closure's, a static member) is refused when
/// it is compiled, as the key could not see the variable change. Keep the delegate in a static field, as with EF Core.</para>
/// </remarks>
public static partial class StockpileQuery
{
    /// <summary>Compiles a cached query returning rows.</summary>
    /// <typeparam name="TContext">The context type.</typeparam>
    /// <typeparam name="TResult">The row type.</typeparam>
    /// <param name="queryExpression">The query, from the context.</param>
    /// <param name="options">Expiration, tags and cache; <see langword="null"/> for the default cache and expiration.</param>
    /// <returns>A delegate running the query: the rows from the cache, or from the database on a miss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryExpression"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The query asks for tracking or calls <c>Cached()</c>; when called: the context has no Stockpile interceptor.</exception>
    /// <exception cref="NotSupportedException">The query reads a variable, or uses a value a key cannot be made of.</exception>
    public static Func<TContext, CancellationToken, Task<List<TResult>>> CompileAsyncQuery<TContext, TResult>(Expression<Func<TContext, IQueryable<TResult>>> queryExpression, StockpileQueryOptions? options = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(queryExpression);
        var query = new CompiledCachedQuery<TContext>(queryExpression, typeof(TResult), options);
        var database = EF.CompileAsyncQuery(CompiledCachedQuery<TContext>.NoTracking(queryExpression));
        var run = Rows<TContext, QueryArguments, TResult>(query, (c, a) => database(c));
        return (context, cancellationToken) => run(context, default, cancellationToken);
    }

    /// <summary>Compiles a cached query returning rows from one parameter.</summary>
    /// <typeparam name="TContext">The context type.</typeparam>
    /// <typeparam name="TParam1">The type of the query's first parameter.</typeparam>
    /// <typeparam name="TResult">The row type.</typeparam>
    /// <param name="queryExpression">The query, from the context and the parameters.</param>
    /// <param name="options">Expiration, tags and cache; <see langword="null"/> for the default cache and expiration.</param>
    /// <returns>A delegate running the query: the rows from the cache, or from the database on a miss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryExpression"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The query asks for tracking or calls <c>Cached()</c>; when called: the context has no Stockpile interceptor.</exception>
    /// <exception cref="NotSupportedException">The query reads a variable, or uses a value a key cannot be made of.</exception>
    public static Func<TContext, TParam1, CancellationToken, Task<List<TResult>>> CompileAsyncQuery<TContext, TParam1, TResult>(Expression<Func<TContext, TParam1, IQueryable<TResult>>> queryExpression, StockpileQueryOptions? options = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(queryExpression);
        var query = new CompiledCachedQuery<TContext>(queryExpression, typeof(TResult), options);
        var database = EF.CompileAsyncQuery(CompiledCachedQuery<TContext>.NoTracking(queryExpression));
        var run = Rows<TContext, QueryArguments<TParam1>, TResult>(query, (c, a) => database(c, a.Item1));
        return (context, param1, cancellationToken) => run(context, new(param1), cancellationToken);
    }

    /// <summary>Compiles a cached query returning rows from 2 parameters.</summary>
    /// <typeparam name="TContext">The context type.</typeparam>
    /// <typeparam name="TParam1">The type of the query's first parameter.</typeparam>
    /// <typeparam name="TParam2">The type of the query's second parameter.</typeparam>
    /// <typeparam name="TResult">The row type.</typeparam>
    /// <param name="queryExpression">The query, from the context and the parameters.</param>
    /// <param name="options">Expiration, tags and cache; <see langword="null"/> for the default cache and expiration.</param>
    /// <returns>A delegate running the query: the rows from the cache, or from the database on a miss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryExpression"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The query asks for tracking or calls <c>Cached()</c>; when called: the context has no Stockpile interceptor.</exception>
    /// <exception cref="NotSupportedException">The query reads a variable, or uses a value a key cannot be made of.</exception>
    public static Func<TContext, TParam1, TParam2, CancellationToken, Task<List<TResult>>> CompileAsyncQuery<TContext, TParam1, TParam2, TResult>(Expression<Func<TContext, TParam1, TParam2, IQueryable<TResult>>> queryExpression, StockpileQueryOptions? options = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(queryExpression);
        var query = new CompiledCachedQuery<TContext>(queryExpression, typeof(TResult), options);
        var database = EF.CompileAsyncQuery(CompiledCachedQuery<TContext>.NoTracking(queryExpression));
        var run = Rows<TContext, QueryArguments<TParam1, TParam2>, TResult>(query, (c, a) => database(c, a.Item1, a.Item2));
        return (context, param1, param2, cancellationToken) => run(context, new(param1, param2), cancellationToken);
    }

    /// <summary>Compiles a cached query returning rows from 3 parameters.</summary>
    /// <typeparam name="TContext">The context type.</typeparam>
    /// <typeparam name="TParam1">The type of the query's first parameter.</typeparam>
    /// <typeparam name="TParam2">The type of the query's second parameter.</typeparam>
    /// <typeparam name="TParam3">The type of the query's third parameter.</typeparam>
    /// <typeparam name="TResult">The row type.</typeparam>
    /// <param name="queryExpression">The query, from the context and the parameters.</param>
    /// <param name="options">Expiration, tags and cache; <see langword="null"/> for the default cache and expiration.</param>
    /// <returns>A delegate running the query: the rows from the cache, or from the database on a miss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryExpression"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The query asks for tracking or calls <c>Cached()</c>; when called: the context has no Stockpile interceptor.</exception>
    /// <exception cref="NotSupportedException">The query reads a variable, or uses a value a key cannot be made of.</exception>
    public static Func<TContext, TParam1, TParam2, TParam3, CancellationToken, Task<List<TResult>>> CompileAsyncQuery<TContext, TParam1, TParam2, TParam3, TResult>(Expression<Func<TContext, TParam1, TParam2, TParam3, IQueryable<TResult>>> queryExpression, StockpileQueryOptions? options = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(queryExpression);
        var query = new CompiledCachedQuery<TContext>(queryExpression, typeof(TResult), options);
        var database = EF.CompileAsyncQuery(CompiledCachedQuery<TContext>.NoTracking(queryExpression));
        var run = Rows<TContext, QueryArguments<TParam1, TParam2, TParam3>, TResult>(query, (c, a) => database(c, a.Item1, a.Item2, a.Item3));
        return (context, param1, param2, param3, cancellationToken) => run(context, new(param1, param2, param3), cancellationToken);
    }

    private static Func<TContext, TArguments, CancellationToken, Task<List<TResult>>> Rows<TContext, TArguments, TResult>(CompiledCachedQuery<TContext> query, Func<TContext, TArguments, IAsyncEnumerable<TResult>> database)
        where TContext : DbContext
        where TArguments : struct, IQueryArguments
    {
        Func<TContext, TArguments, CancellationToken, ValueTask<List<TResult>>> run = (c, a, ct) => AsyncSequenceAdapter<TResult>.ReadAllAsync(database(c, a), ct);
        return (context, arguments, cancellationToken) => query.RunAsync(context, arguments, run, cancellationToken).AsTask();
    }
}
