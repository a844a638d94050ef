using System.Linq.Expressions;

namespace Stockpile.Internal;

/// <summary>A synchronous enumeration (<c>ToList()</c>): the list of elements is cached.</summary>
internal sealed class SequenceAdapter<T> : ResultAdapter<IEnumerable<T>>
{
    public override IEnumerable<T> Execute(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker) =>
        SyncOverAsync.Result(CachedQueries.RunAsync(provider, expression, marker, static (p, e, _) => new ValueTask<List<T>>([.. p.ExecuteUncached<IEnumerable<T>>(e)]), CancellationToken.None));

    public override IEnumerable<T> ExecuteAsync(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, CancellationToken cancellationToken) =>
        Execute(provider, expression, marker);
}
