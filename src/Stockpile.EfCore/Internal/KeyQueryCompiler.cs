using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>
/// Compiles, once per key, <c>ctx.Set&lt;T&gt;().AsNoTracking().Where(e =&gt; e.K1 == p1 &amp;&amp; …)</c> with
/// <see cref="EF.CompileAsyncQuery{TContext, TParam1, TResult}(Expression{Func{TContext, TParam1, IQueryable{TResult}}})"/>,
/// and wraps it so callers pass the key's values as a list. The rows are streamed; the caller stops at the second exact
/// match (a non-unique key).
/// </summary>
/// <remarks>
/// Neither ordered nor limited: an <c>ORDER BY</c> on the key fails on SQLite for key types it cannot order
/// (<see cref="DateTimeOffset"/>, <see cref="ulong"/>; issue 12), and a <c>LIMIT 2</c> could cut off the exact match
/// behind two rows a case-insensitive collation also matches.
/// </remarks>
internal static class KeyQueryCompiler
{
    private static readonly MethodInfo s_set = typeof(DbContext).GetMethods()
        .Single(static m => m.Name == nameof(DbContext.Set) && m.IsGenericMethodDefinition && m.GetParameters().Length == 0);

    private static readonly MethodInfo s_asNoTracking = typeof(EntityFrameworkQueryableExtensions).GetMethod(nameof(EntityFrameworkQueryableExtensions.AsNoTracking))!;

    private static readonly PropertyInfo s_item = typeof(IReadOnlyList<object>).GetProperty("Item")!;

    /// <summary>The most key parts EF's compiled queries take as parameters (EF.CompileAsyncQuery has overloads up to 15).</summary>
    public const int MaxParts = 15;

    public static Func<TContext, IReadOnlyList<object>, IAsyncEnumerable<TEntity>> Compile<TContext, TEntity>(KeyDefinition key)
        where TContext : DbContext
        where TEntity : class
    {
        var context = Expression.Parameter(typeof(TContext), "context");
        var parameters = key.Properties.Select(static p => Expression.Parameter(p.PropertyType, p.Name)).ToArray();
        var entity = Expression.Parameter(typeof(TEntity), "e");
        Expression match = Expression.Equal(Expression.Property(entity, key.Properties[0]), parameters[0]);
        for (var i = 1; i < parameters.Length; i++)
        {
            match = Expression.AndAlso(match, Expression.Equal(Expression.Property(entity, key.Properties[i]), parameters[i]));
        }

        Expression query = Expression.Call(context, s_set.MakeGenericMethod(typeof(TEntity)));
        query = Expression.Call(s_asNoTracking.MakeGenericMethod(typeof(TEntity)), query);
        query = Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(TEntity)], query, Expression.Quote(Expression.Lambda<Func<TEntity, bool>>(match, entity)));

        var types = new[] { typeof(TContext) }.Concat(parameters.Select(static p => p.Type)).Append(typeof(IQueryable<TEntity>)).ToArray();
        var lambda = Expression.Lambda(Expression.GetFuncType(types), query, [context, .. parameters]);
        var compiled = (Delegate)CompileAsyncQueryMethod(parameters.Length)
            .MakeGenericMethod([typeof(TContext), .. parameters.Select(static p => p.Type), typeof(TEntity)])
            .Invoke(null, [lambda])!;

        // (context, values) => compiled(context, (P1)values[0], …): one typed call, no reflection per look-up.
        var values = Expression.Parameter(typeof(IReadOnlyList<object>), "values");
        var arguments = parameters.Select((p, i) => (Expression)Expression.Convert(Expression.Property(values, s_item, Expression.Constant(i)), p.Type));
        var invoke = Expression.Invoke(Expression.Constant(compiled), [context, .. arguments]);
        return Expression.Lambda<Func<TContext, IReadOnlyList<object>, IAsyncEnumerable<TEntity>>>(invoke, context, values).Compile();
    }

    private static MethodInfo CompileAsyncQueryMethod(int parameterCount) =>
        typeof(EF).GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m =>
        {
            if (m.Name != nameof(EF.CompileAsyncQuery) || m.GetGenericArguments().Length != parameterCount + 2 || m.GetParameters().Length != 1)
            {
                return false;
            }

            var func = m.GetParameters()[0].ParameterType.GetGenericArguments()[0];
            var result = func.GetGenericArguments()[^1];
            return result.IsGenericType && result.GetGenericTypeDefinition() == typeof(IQueryable<>);
        });
}
