using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace Stockpile.Internal;

/// <summary>
/// Turns what EF Core asks a provider for (<c>IEnumerable&lt;T&gt;</c> to enumerate, <c>IAsyncEnumerable&lt;T&gt;</c>,
/// a scalar, or a <c>Task</c> of one) into a cached value (the list of elements, or the scalar) and back. One instance
/// per result type, made once.
/// </summary>
internal abstract class ResultAdapter<TResult>
{
    public static readonly ResultAdapter<TResult> Instance = Create();

    public abstract TResult Execute(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker);

    public abstract TResult ExecuteAsync(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, CancellationToken cancellationToken);

    private static ResultAdapter<TResult> Create()
    {
        var type = typeof(TResult);
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        var adapter = definition == typeof(IEnumerable<>) ? typeof(SequenceAdapter<>).MakeGenericType(type.GetGenericArguments())
            : definition == typeof(IAsyncEnumerable<>) ? typeof(AsyncSequenceAdapter<>).MakeGenericType(type.GetGenericArguments())
            : definition == typeof(Task<>) ? typeof(AsyncScalarAdapter<>).MakeGenericType(type.GetGenericArguments())
            : typeof(ScalarAdapter<>).MakeGenericType(type);
        return (ResultAdapter<TResult>)Activator.CreateInstance(adapter)!;
    }
}

internal sealed class SequenceAdapter<T> : ResultAdapter<IEnumerable<T>>
{
    public override IEnumerable<T> Execute(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker) =>
        SyncOverAsync.Result(CachedQueries.RunAsync(provider, expression, marker, static (p, e, _) => new ValueTask<List<T>>([.. p.ExecuteUncached<IEnumerable<T>>(e)]), CancellationToken.None));

    public override IEnumerable<T> ExecuteAsync(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, CancellationToken cancellationToken) =>
        Execute(provider, expression, marker);
}

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

    private static async ValueTask<List<T>> ReadAllAsync(IAsyncEnumerable<T> source, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }
}

internal sealed class ScalarAdapter<T> : ResultAdapter<T>
{
    public override T Execute(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker) =>
        SyncOverAsync.Result(CachedQueries.RunAsync(provider, expression, marker, static (p, e, _) => new ValueTask<T>(p.ExecuteUncached<T>(e)), CancellationToken.None));

    public override T ExecuteAsync(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, CancellationToken cancellationToken) =>
        Execute(provider, expression, marker);
}

internal sealed class AsyncScalarAdapter<T> : ResultAdapter<Task<T>>
{
    public override Task<T> Execute(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker) =>
        ExecuteAsync(provider, expression, marker, CancellationToken.None);

    public override Task<T> ExecuteAsync(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, CancellationToken cancellationToken) =>
        CachedQueries.RunAsync(provider, expression, marker, static (p, e, ct) => new ValueTask<T>(p.ExecuteUncachedAsync<Task<T>>(e, ct)), cancellationToken).AsTask();
}
