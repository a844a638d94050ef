using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Stockpile.Internal;

/// <summary>
/// Cuts a lazy-loading proxy from the context that read it. What the store returns outlives that context, and a copying
/// tier reads every property: an attached loader would try to load navigations from a disposed context (which EF Core
/// turns into an exception). A cut proxy behaves like a plain entity: unloaded navigations stay as they are.
/// </summary>
/// <remarks>EF Core's proxies carry their loader in a <c>LazyLoader</c> property; its setter is compiled once per proxy type.</remarks>
internal static class ProxyLoaders
{
    private static readonly ConcurrentDictionary<Type, Action<object>?> s_cutters = new();

    public static T Cut<T>(T entity)
        where T : class
    {
        var type = entity.GetType();
        if (type.Assembly.IsDynamic && (s_cutters.TryGetValue(type, out var cut) ? cut : s_cutters.GetOrAdd(type, Compile)) is { } cutter)
        {
            cutter(entity);
        }

        return entity;
    }

    private static Action<object>? Compile(Type proxyType)
    {
        var property = proxyType.GetProperty("LazyLoader");
        if (property is null || property.PropertyType != typeof(ILazyLoader) || property.SetMethod is null)
        {
            return null;
        }

        // (object e) => ((TProxy)e).LazyLoader = null
        var entity = Expression.Parameter(typeof(object), "entity");
        var assign = Expression.Assign(Expression.Property(Expression.Convert(entity, proxyType), property), Expression.Constant(null, typeof(ILazyLoader)));
        return Expression.Lambda<Action<object>>(assign, entity).Compile();
    }
}
