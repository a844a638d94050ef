using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace Stockpile.Internal;

/// <summary>An asynchronous enumeration (<c>ToListAsync()</c>): the list of elements is cached, then enumerated.</summary>
internal sealed class AsyncSequenceAdapter<T> : ResultAdapter<IAsyncEnumerable<T>>
{
    public override IAsyncEnumerable<T> Execute(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker) =>
        ExecuteAsync(provider, expression, marker, CancellationToken.None);

    public override IAsyncEnumerable<T> ExecuteAsync(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, CancellationToken cancellationToken) =>
        EnumerateAsync(provider, expression, marker, cancellationToken);

    private static async IAsyncEnumerable<T> EnumerateAsync(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var list = await CachedQueries.RunAsync(provider, expression, marker, static (p, e, ct) => ReadAllAsync(p.ExecuteUncachedAsync<IAsyncEnumerable<T>>(e, ct), ct), cancellationToken).ConfigureAwait(false);
        foreach (var item in list)
        {
            yield return item;
        }
    }

    public static async ValueTask<List<T>> ReadAllAsync(IAsyncEnumerable<T> source, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }
}
