using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>Finds the <c>Cached(...)</c> call a query carries, and replaces it with <c>AsNoTracking()</c> for EF Core to run.</summary>
internal static class CachedQueryMarker
{
    public static readonly MethodInfo Definition = typeof(StockpileQueryableExtensions).GetMethods()
        .Single(static m => m.Name == nameof(StockpileQueryableExtensions.Cached) && m.GetParameters() is [_, { ParameterType: var p }] && p == typeof(StockpileQueryOptions));

    private static readonly MethodInfo s_asNoTracking = typeof(EntityFrameworkQueryableExtensions).GetMethod(nameof(EntityFrameworkQueryableExtensions.AsNoTracking))!;

    /// <summary>The marker on the query's spine (the chain of operators from the result down to the root), or <see langword="null"/>.</summary>
    public static MethodCallExpression? Find(Expression expression)
    {
        for (var node = expression; node is MethodCallExpression call; node = call.Arguments.Count > 0 ? call.Arguments[0] : null)
        {
            if (IsMarker(call.Method))
            {
                return call;
            }
        }

        return null;
    }

    public static bool IsMarker(MethodInfo method) =>
        method.DeclaringType == typeof(StockpileQueryableExtensions) && method.IsGenericMethod && method.Name == nameof(StockpileQueryableExtensions.Cached);

    public static StockpileQueryOptions OptionsOf(MethodCallExpression marker) => (StockpileQueryOptions)((ConstantExpression)marker.Arguments[1]).Value!;

    /// <exception cref="InvalidOperationException">The query asks for tracking.</exception>
    public static void CheckNotTracked(Expression expression, Type elementType)
    {
        for (var node = expression; node is MethodCallExpression call && call.Arguments.Count > 0; node = call.Arguments[0])
        {
            if (call.Method.Name == nameof(EntityFrameworkQueryableExtensions.AsTracking) && call.Method.DeclaringType == typeof(EntityFrameworkQueryableExtensions))
            {
                throw new InvalidOperationException(EfExceptionMessages.CachedQueryTracked(elementType));
            }
        }
    }

    /// <summary>The query EF Core runs: without the marker, and with <c>AsNoTracking()</c>.</summary>
    public static Expression Strip(Expression expression, MethodCallExpression marker)
    {
        var root = RootOf(marker.Arguments[0]);
        return new Replacer(marker, marker.Arguments[0], root, NoTracking(root)).Visit(expression)!;
    }

    /// <summary>A compiled cached query's body as EF Core runs it: with <c>AsNoTracking()</c> on its root.</summary>
    public static Expression WithNoTracking(Expression body)
    {
        var root = RootOf(body);
        return new Replacer(null, null, root, NoTracking(root)).Visit(body)!;
    }

    /// <summary>The query's root: no tracking applies to the whole query wherever it is put, so it goes on the one operand sure to be entities.</summary>
    private static Expression RootOf(Expression spine)
    {
        var root = spine;
        while (root is MethodCallExpression { Arguments.Count: > 0 } call)
        {
            root = call.Arguments[0];
        }

        return root;
    }

    private static Expression NoTracking(Expression root) =>
        root.Type.IsGenericType && root.Type.GetGenericArguments() is [{ IsClass: true } entity] && typeof(IQueryable<>).MakeGenericType(entity).IsAssignableFrom(root.Type)
            ? Expression.Call(null, s_asNoTracking.MakeGenericMethod(entity), root)
            : root;

    private sealed class Replacer(Expression? marker, Expression? source, Expression root, Expression noTracking) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node) =>
            marker is not null && ReferenceEquals(node, marker) ? Visit(source)
            : ReferenceEquals(node, root) ? noTracking
            : base.Visit(node);
    }
}
