using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Internal;

/// <summary>
/// Reads each <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> shape once, when EF Core compiles it: when its predicate pins a
/// key, the plan is held for the statement about to run, so <see cref="StockpileCommandInterceptor"/> can
/// evict exactly those keys. No query is changed.
/// </summary>
internal sealed class StockpileQueryExpressionInterceptor : IQueryExpressionInterceptor
{
    /// <summary>The one instance every context shares: a query expression interceptor is part of EF Core's internal
    /// service provider, so one per chain would build a provider (and a query cache) per chain.</summary>
    public static readonly StockpileQueryExpressionInterceptor Instance = new();

    private StockpileQueryExpressionInterceptor()
    {
    }

    public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData)
    {
        if (queryExpression is MethodCallExpression { Method.Name: "ExecuteUpdate" or "ExecuteDelete", Arguments.Count: > 0 } statement
            && statement.Method.DeclaringType == typeof(EntityFrameworkQueryableExtensions)
            && eventData.Context is { } context)
        {
            BulkKeyPlan.Compiled(context, BulkKeyPlan.Analyze(statement));
        }

        return queryExpression;
    }
}
