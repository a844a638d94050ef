using System.Linq.Expressions;

namespace Stockpile.Internal;

/// <summary>A synchronous scalar (<c>Count()</c>, <c>First()</c>): the value is cached.</summary>
internal sealed class ScalarAdapter<T> : ResultAdapter<T>
{
    public override T Execute(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker) =>
        SyncOverAsync.Result(CachedQueries.RunAsync(provider, expression, marker, static (p, e, _) => new ValueTask<T>(p.ExecuteUncached<T>(e)), CancellationToken.None));

    public override T ExecuteAsync(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, CancellationToken cancellationToken) =>
        Execute(provider, expression, marker);
}
