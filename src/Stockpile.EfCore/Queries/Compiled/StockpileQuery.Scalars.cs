using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Stockpile.Internal;

namespace Stockpile;

public static partial class StockpileQuery
{
    /// <summary>Compiles a cached query ending in a scalar operator (<c>Count()</c>, <c>FirstOrDefault()</c>, <c>Any()</c>, <c>Sum()</c>).</summary>
    /// <typeparam name="TContext">The context type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="queryExpression">The query, from the context, ending in a scalar operator.</param>
    /// <param name="options">Expiration, tags and cache; <see langword="null"/> for the default cache and expiration.</param>
    /// <returns>A delegate running the query: the value from the cache, or from the database on a miss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryExpression"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The query returns rows (an <see cref="IQueryable{T}"/>): compile it with <c>CompileAsyncQuery</c>.</exception>
    /// <exception cref="InvalidOperationException">The query asks for tracking or calls <c>Cached()</c>; when called: the context has no Stockpile interceptor.</exception>
    /// <exception cref="NotSupportedException">The query reads a variable, or uses a value a key cannot be made of.</exception>
    public static Func<TContext, CancellationToken, Task<TResult>> CompileAsyncScalarQuery<TContext, TResult>(Expression<Func<TContext, TResult>> queryExpression, StockpileQueryOptions? options = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(queryExpression);
        var query = ScalarQuery<TContext, TResult>(queryExpression, options);
        var database = EF.CompileAsyncQuery(WithCancellation<Func<TContext, CancellationToken, TResult>>(CompiledCachedQuery<TContext>.NoTracking(queryExpression)));
        var run = Scalar<TContext, QueryArguments, TResult>(query, (c, a, ct) => database(c, ct));
        return (context, cancellationToken) => run(context, default, cancellationToken);
    }

    /// <summary>Compiles a cached query ending in a scalar operator (<c>Count()</c>, <c>FirstOrDefault()</c>, <c>Any()</c>, <c>Sum()</c>) from one parameter.</summary>
    /// <typeparam name="TContext">The context type.</typeparam>
    /// <typeparam name="TParam1">The type of the query's first parameter.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="queryExpression">The query, from the context and the parameters, ending in a scalar operator.</param>
    /// <param name="options">Expiration, tags and cache; <see langword="null"/> for the default cache and expiration.</param>
    /// <returns>A delegate running the query: the value from the cache, or from the database on a miss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryExpression"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The query returns rows (an <see cref="IQueryable{T}"/>): compile it with <c>CompileAsyncQuery</c>.</exception>
    /// <exception cref="InvalidOperationException">The query asks for tracking or calls <c>Cached()</c>; when called: the context has no Stockpile interceptor.</exception>
    /// <exception cref="NotSupportedException">The query reads a variable, or uses a value a key cannot be made of.</exception>
    public static Func<TContext, TParam1, CancellationToken, Task<TResult>> CompileAsyncScalarQuery<TContext, TParam1, TResult>(Expression<Func<TContext, TParam1, TResult>> queryExpression, StockpileQueryOptions? options = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(queryExpression);
        var query = ScalarQuery<TContext, TResult>(queryExpression, options);
        var database = EF.CompileAsyncQuery(WithCancellation<Func<TContext, TParam1, CancellationToken, TResult>>(CompiledCachedQuery<TContext>.NoTracking(queryExpression)));
        var run = Scalar<TContext, QueryArguments<TParam1>, TResult>(query, (c, a, ct) => database(c, a.Item1, ct));
        return (context, param1, cancellationToken) => run(context, new(param1), cancellationToken);
    }

    /// <summary>Compiles a cached query ending in a scalar operator (<c>Count()</c>, <c>FirstOrDefault()</c>, <c>Any()</c>, <c>Sum()</c>) from 2 parameters.</summary>
    /// <typeparam name="TContext">The context type.</typeparam>
    /// <typeparam name="TParam1">The type of the query's first parameter.</typeparam>
    /// <typeparam name="TParam2">The type of the query's second parameter.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="queryExpression">The query, from the context and the parameters, ending in a scalar operator.</param>
    /// <param name="options">Expiration, tags and cache; <see langword="null"/> for the default cache and expiration.</param>
    /// <returns>A delegate running the query: the value from the cache, or from the database on a miss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryExpression"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The query returns rows (an <see cref="IQueryable{T}"/>): compile it with <c>CompileAsyncQuery</c>.</exception>
    /// <exception cref="InvalidOperationException">The query asks for tracking or calls <c>Cached()</c>; when called: the context has no Stockpile interceptor.</exception>
    /// <exception cref="NotSupportedException">The query reads a variable, or uses a value a key cannot be made of.</exception>
    public static Func<TContext, TParam1, TParam2, CancellationToken, Task<TResult>> CompileAsyncScalarQuery<TContext, TParam1, TParam2, TResult>(Expression<Func<TContext, TParam1, TParam2, TResult>> queryExpression, StockpileQueryOptions? options = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(queryExpression);
        var query = ScalarQuery<TContext, TResult>(queryExpression, options);
        var database = EF.CompileAsyncQuery(WithCancellation<Func<TContext, TParam1, TParam2, CancellationToken, TResult>>(CompiledCachedQuery<TContext>.NoTracking(queryExpression)));
        var run = Scalar<TContext, QueryArguments<TParam1, TParam2>, TResult>(query, (c, a, ct) => database(c, a.Item1, a.Item2, ct));
        return (context, param1, param2, cancellationToken) => run(context, new(param1, param2), cancellationToken);
    }

    /// <summary>Compiles a cached query ending in a scalar operator (<c>Count()</c>, <c>FirstOrDefault()</c>, <c>Any()</c>, <c>Sum()</c>) from 3 parameters.</summary>
    /// <typeparam name="TContext">The context type.</typeparam>
    /// <typeparam name="TParam1">The type of the query's first parameter.</typeparam>
    /// <typeparam name="TParam2">The type of the query's second parameter.</typeparam>
    /// <typeparam name="TParam3">The type of the query's third parameter.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="queryExpression">The query, from the context and the parameters, ending in a scalar operator.</param>
    /// <param name="options">Expiration, tags and cache; <see langword="null"/> for the default cache and expiration.</param>
    /// <returns>A delegate running the query: the value from the cache, or from the database on a miss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queryExpression"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The query returns rows (an <see cref="IQueryable{T}"/>): compile it with <c>CompileAsyncQuery</c>.</exception>
    /// <exception cref="InvalidOperationException">The query asks for tracking or calls <c>Cached()</c>; when called: the context has no Stockpile interceptor.</exception>
    /// <exception cref="NotSupportedException">The query reads a variable, or uses a value a key cannot be made of.</exception>
    public static Func<TContext, TParam1, TParam2, TParam3, CancellationToken, Task<TResult>> CompileAsyncScalarQuery<TContext, TParam1, TParam2, TParam3, TResult>(Expression<Func<TContext, TParam1, TParam2, TParam3, TResult>> queryExpression, StockpileQueryOptions? options = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(queryExpression);
        var query = ScalarQuery<TContext, TResult>(queryExpression, options);
        var database = EF.CompileAsyncQuery(WithCancellation<Func<TContext, TParam1, TParam2, TParam3, CancellationToken, TResult>>(CompiledCachedQuery<TContext>.NoTracking(queryExpression)));
        var run = Scalar<TContext, QueryArguments<TParam1, TParam2, TParam3>, TResult>(query, (c, a, ct) => database(c, a.Item1, a.Item2, a.Item3, ct));
        return (context, param1, param2, param3, cancellationToken) => run(context, new(param1, param2, param3), cancellationToken);
    }

    private static CompiledCachedQuery<TContext> ScalarQuery<TContext, TResult>(LambdaExpression queryExpression, StockpileQueryOptions? options)
        where TContext : DbContext
    {
        if (typeof(IQueryable).IsAssignableFrom(typeof(TResult)))
        {
            throw new ArgumentException(EfExceptionMessages.CompiledQueryRows(typeof(TResult)), nameof(queryExpression));
        }

        return new CompiledCachedQuery<TContext>(queryExpression, typeof(TResult), options);
    }

    /// <summary>The query with a last parameter for the cancellation token: EF Core's compiled scalar queries take it so.</summary>
    private static Expression<TDelegate> WithCancellation<TDelegate>(LambdaExpression query) =>
        Expression.Lambda<TDelegate>(query.Body, [.. query.Parameters, Expression.Parameter(typeof(CancellationToken), "cancellationToken")]);

    private static Func<TContext, TArguments, CancellationToken, Task<TResult>> Scalar<TContext, TArguments, TResult>(CompiledCachedQuery<TContext> query, Func<TContext, TArguments, CancellationToken, Task<TResult>> database)
        where TContext : DbContext
        where TArguments : struct, IQueryArguments
    {
        Func<TContext, TArguments, CancellationToken, ValueTask<TResult>> run = (c, a, ct) => new ValueTask<TResult>(database(c, a, ct));
        return (context, arguments, cancellationToken) => query.RunAsync(context, arguments, run, cancellationToken).AsTask();
    }
}
