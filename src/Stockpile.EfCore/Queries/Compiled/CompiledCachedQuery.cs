using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Query;

namespace Stockpile.Internal;

/// <summary>
/// One compiled cached query (<see cref="StockpileQuery"/>): its shape is walked once, when it is compiled, so a call
/// only writes its arguments after the precomputed key prefix (the shape's id and the query's constants), reads the
/// cache and copies the hit. A miss runs EF Core's own compiled query of the same expression, without tracking.
/// </summary>
internal sealed class CompiledCachedQuery<TContext>
    where TContext : DbContext
{
    private readonly string _prefix;
    private readonly int _values;
    private readonly QueryShape _shape;
    private readonly StockpileQueryOptions _options;

    /// <exception cref="InvalidOperationException">The query tracks, or calls <c>Cached()</c>.</exception>
    /// <exception cref="NotSupportedException">The query reads a variable, or holds what a key cannot be made of.</exception>
    public CompiledCachedQuery(LambdaExpression query, Type elementType, StockpileQueryOptions? options)
    {
        CachedQueryMarker.CheckNotTracked(query.Body, elementType);
        if (new MarkerFinder().Finds(query.Body))
        {
            throw new InvalidOperationException(EfExceptionMessages.CompiledQueryMarked(elementType));
        }

        var walker = new QueryWalker();
        walker.Reset(text: null);
        walker.Walk(query);
        if (walker.Captured is { } captured)
        {
            throw new NotSupportedException(EfExceptionMessages.CompiledQueryCaptured(elementType, captured));
        }

        // The form is part of the shape's text: a compiled query and a LINQ one never share an entry.
        var id = QueryKey.IdOf("compiled|" + typeof(TContext).FullName, query);
        var prefix = new StringBuilder().Append("q:").Append(id).Append('|');
        _values = prefix.Length;
        walker.AppendValues(prefix);
        _prefix = prefix.ToString();
        _shape = new QueryShape(id);
        _options = options ?? new StockpileQueryOptions();
    }

    /// <summary>The query as EF Core compiles it for the database: the same lambda, its body without tracking.</summary>
    public static Expression<TDelegate> NoTracking<TDelegate>(Expression<TDelegate> query) =>
        query.Update(CachedQueryMarker.WithNoTracking(query.Body), query.Parameters);

    /// <summary>Answers one call: from the cache, or by <paramref name="run"/> (EF Core's compiled query) when caching is off or on a miss.</summary>
    public ValueTask<TValue> RunAsync<TArguments, TValue>(TContext context, TArguments arguments, Func<TContext, TArguments, CancellationToken, ValueTask<TValue>> run, CancellationToken cancellationToken)
        where TArguments : struct, IQueryArguments
    {
        ArgumentNullException.ThrowIfNull(context);
        var provider = ProviderOf(context);
        if (!CachedQueries.MayRead(context))
        {
            return run(context, arguments, cancellationToken);
        }

        var builder = QueryKey.Builder().Append(_prefix);
        arguments.AppendTo(builder);
        builder.Append(provider.DatabaseKey);
        var key = QueryKey.Finish(builder, _values);
        return CachedQueries.RunAsync(
            provider,
            _shape,
            key,
            _options,
            (Context: context, Arguments: arguments, Run: run),
            static (s, ct) => s.Run(s.Context, s.Arguments, ct),
            cancellationToken);
    }

#pragma warning disable EF1001 // The provider Stockpile puts in place of EF Core's: the context's query caching and database key live on it.
    private static StockpileEntityQueryProvider ProviderOf(TContext context) =>
        context.GetService<IAsyncQueryProvider>() as StockpileEntityQueryProvider
        ?? throw new InvalidOperationException(EfExceptionMessages.QueryNotIntercepted(typeof(TContext)));
#pragma warning restore EF1001

    /// <summary>Finds a <c>Cached()</c> call anywhere in a compiled query.</summary>
    private sealed class MarkerFinder : ExpressionVisitor
    {
        private bool _found;

        public bool Finds(Expression body)
        {
            Visit(body);
            return _found;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            _found |= CachedQueryMarker.IsMarker(node.Method);
            return base.VisitMethodCall(node);
        }
    }
}
