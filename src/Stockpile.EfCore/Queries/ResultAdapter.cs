using System.Linq.Expressions;

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
