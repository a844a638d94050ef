using System.Linq.Expressions;

namespace Stockpile.Internal;

/// <summary>An asynchronous scalar (<c>CountAsync()</c>, <c>FirstAsync()</c>): the value is cached.</summary>
internal sealed class AsyncScalarAdapter<T> : ResultAdapter<Task<T>>
{
    public override Task<T> Execute(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker) =>
        ExecuteAsync(provider, expression, marker, CancellationToken.None);

    public override Task<T> ExecuteAsync(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, CancellationToken cancellationToken) =>
        CachedQueries.RunAsync(provider, expression, marker, static (p, e, ct) => new ValueTask<T>(p.ExecuteUncachedAsync<Task<T>>(e, ct)), cancellationToken).AsTask();
}
