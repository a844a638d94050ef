using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Stockpile.Internal;

/// <summary>
/// Builds the WHERE clause of a batch: <c>list.Contains(e.Key)</c> for a single-column key, an OR of AND-ed equalities
/// for a composite key. Values go in as captured variables (boxes EF turns into parameters), never as constants, so
/// EF caches one translation per shape instead of one per batch.
/// </summary>
internal static class KeyPredicates
{
    private static readonly ConcurrentDictionary<Type, TypedValues> s_typed = new();

    public static Expression<Func<TEntity, bool>> Build<TEntity>(IReadOnlyList<KeyLookup> lookups)
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var matches = new List<Expression>();
        foreach (var lookup in lookups)
        {
            if (!lookup.IsComposite)
            {
                var property = lookup.Properties[0];
                matches.Add(TypedFor(property.PropertyType).Contains(lookup.Values.Select(static v => v[0]), Expression.Property(entity, property)));
                continue;
            }

            foreach (var values in lookup.Values)
            {
                Expression? match = null;
                for (var i = 0; i < values.Length; i++)
                {
                    var property = lookup.Properties[i];
                    var equal = Expression.Equal(Expression.Property(entity, property), TypedFor(property.PropertyType).Captured(values[i]));
                    match = match is null ? equal : Expression.AndAlso(match, equal);
                }

                matches.Add(match!);
            }
        }

        return Expression.Lambda<Func<TEntity, bool>>(matches.Count == 0 ? Expression.Constant(false) : Balanced(matches, 0, matches.Count), entity);
    }

    // A balanced OR tree: SQL nests as deep as log2(n), where a chain would overflow SQLite's parser stack past ~100 terms.
    private static Expression Balanced(List<Expression> matches, int start, int count) =>
        count == 1 ? matches[start] : Expression.OrElse(Balanced(matches, start, count / 2), Balanced(matches, start + (count / 2), count - (count / 2)));

    private static TypedValues TypedFor(Type type) => s_typed.GetOrAdd(type, static t =>
    {
        var method = typeof(KeyPredicates).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(t);
        return (TypedValues)method.Invoke(null, null)!;
    });

    private static TypedValues CreateTyped<T>() => new(ContainsOf<T>, CapturedOf<T>);

    private static MethodCallExpression ContainsOf<T>(IEnumerable<object> values, Expression member)
    {
        var list = values.Select(static v => (T)v).Distinct().ToList();
        var box = Expression.Field(Expression.Constant(new StrongBox<List<T>>(list)), nameof(StrongBox<List<T>>.Value));
        return Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(T)], box, member);
    }

    private static MemberExpression CapturedOf<T>(object value) =>
        Expression.Field(Expression.Constant(new StrongBox<T>((T)value)), nameof(StrongBox<T>.Value));

    private sealed record TypedValues(Func<IEnumerable<object>, Expression, MethodCallExpression> Contains, Func<object, MemberExpression> Captured);
}
