using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;

namespace Stockpile.Internal;

/// <summary>The copying behind <see cref="ResultCopier{T}"/>: per runtime type, a copier made once.</summary>
internal static class ObjectCopier
{
    private static readonly ConcurrentDictionary<Type, bool> s_immutable = new();
    private static readonly ConcurrentDictionary<Type, Func<object, Graph, object>> s_copiers = new();
    private static readonly Func<object, object> s_shallow = typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!.CreateDelegate<Func<object, object>>();

    public static bool IsImmutable(Type type) => s_immutable.GetOrAdd(type, static t =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(Guid) || t == typeof(DateTime)
        || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(DateOnly) || t == typeof(TimeOnly)
        || (Nullable.GetUnderlyingType(t) is { } underlying && IsImmutable(underlying))
        || (t.IsValueType && !t.IsGenericTypeDefinition && FieldsOf(t).All(f => f.FieldType != t && IsImmutable(f.FieldType))));

    public static object? Copy(object? value, Graph graph)
    {
        if (value is null)
        {
            return null;
        }

        var type = value.GetType();
        if (IsImmutable(type))
        {
            return value;
        }

        if (graph.Copies is { } copies && copies.TryGetValue(value, out var copied))
        {
            return copied;
        }

        return s_copiers.GetOrAdd(type, Build)(value, graph);
    }

    private static Func<object, Graph, object> Build(Type type)
    {
        if (type.IsArray && type.GetElementType() is { } element)
        {
            return IsImmutable(element)
                ? static (v, _) => ((Array)v).Clone()
                : static (v, g) =>
                {
                    var source = (Array)v;
                    var copy = Array.CreateInstance(v.GetType().GetElementType()!, source.Length);
                    g.Add(v, copy);
                    for (var i = 0; i < source.Length; i++)
                    {
                        copy.SetValue(Copy(source.GetValue(i), g), i);
                    }

                    return copy;
                };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return typeof(ObjectCopier).GetMethod(nameof(CopyList), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type.GetGenericArguments()).CreateDelegate<Func<object, Graph, object>>();
        }

        if (type.GetInterfaces().FirstOrDefault(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollection<>)) is { } collection
            && type.GetConstructor(Type.EmptyTypes) is not null
            && !type.GetInterfaces().Any(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))
        {
            return typeof(ObjectCopier).GetMethod(nameof(CopyCollection), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type, collection.GetGenericArguments()[0]).CreateDelegate<Func<object, Graph, object>>();
        }

        if (type.IsValueType || typeof(System.Collections.IEnumerable).IsAssignableFrom(type) || type.IsPointer)
        {
            return static (v, _) => JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(v, v.GetType(), CachedQueryResultConverterFactory.ValueOptions), v.GetType(), CachedQueryResultConverterFactory.ValueOptions)!;
        }

        var members = FieldsOf(type).Where(static f => !IsImmutable(f.FieldType)).Select(MemberCopier.For).ToArray();
        if (members.Length == 0)
        {
            return static (v, _) => s_shallow(v);
        }

        return (v, g) =>
        {
            var copy = s_shallow(v);
            g.Add(v, copy);
            foreach (var member in members)
            {
                member.CopyInto(v, copy, g);
            }

            return copy;
        };
    }

    private static List<TElement> CopyList<TElement>(object value, Graph graph)
    {
        var source = (List<TElement>)value;
        if (IsImmutable(typeof(TElement)))
        {
            return new List<TElement>(source);
        }

        var copy = new List<TElement>(source.Count);
        if (graph.Copies is null)
        {
            // Flat elements (only immutable fields: most entities read without Include) reference nothing, so nothing
            // can lead back to the list or to them: copied by their emitted copier, without a graph.
            Type? type = null;
            Func<object, object>? flat = null;
            foreach (var item in source)
            {
                if (item is null)
                {
                    copy.Add(item!);
                    continue;
                }

                if (item.GetType() != type)
                {
                    type = item.GetType();
                    flat = IsImmutable(type) ? static v => v : Caching.CacheValues.CopierOf(type);
                }

                if (flat is null)
                {
                    break;
                }

                copy.Add((TElement)flat(item));
            }

            if (copy.Count == source.Count)
            {
                return copy;
            }

            // An element holds references: the copies so far join the graph, so a later element reaching one of them finds its copy.
            graph.Add(value, copy);
            for (var i = 0; i < copy.Count; i++)
            {
                if (source[i] is { } original)
                {
                    graph.Add(original, copy[i]!);
                }
            }
        }
        else
        {
            graph.Add(value, copy);
        }

        for (var i = copy.Count; i < source.Count; i++)
        {
            copy.Add((TElement)Copy(source[i], graph)!);
        }

        return copy;
    }

    private static object CopyCollection<TCollection, TElement>(object value, Graph graph)
        where TCollection : ICollection<TElement>, new()
    {
        var copy = new TCollection();
        graph.Add(value, copy);
        foreach (var item in (TCollection)value)
        {
            copy.Add((TElement)Copy(item, graph)!);
        }

        return copy;
    }

    private static IEnumerable<FieldInfo> FieldsOf(Type type)
    {
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            foreach (var field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                yield return field;
            }
        }
    }

    /// <summary>The copies made so far in one copy, by original; made on the first object that holds another.</summary>
    internal sealed class Graph
    {
        public Dictionary<object, object>? Copies { get; private set; }

        public void Add(object original, object copy) => (Copies ??= new Dictionary<object, object>(ReferenceEqualityComparer.Instance))[original] = copy;
    }

    /// <summary>Copies one field of an object that is not immutable, through accessors compiled once.</summary>
    private sealed class MemberCopier(Func<object, object?> get, Action<object, object?> set)
    {
        public static MemberCopier For(FieldInfo field)
        {
            var target = Expression.Parameter(typeof(object), "target");
            var value = Expression.Parameter(typeof(object), "value");
            var owner = Expression.Convert(target, field.DeclaringType!);
            var get = Expression.Lambda<Func<object, object?>>(Expression.Convert(Expression.Field(owner, field), typeof(object)), target).Compile();
            var set = field.IsInitOnly || field.DeclaringType!.IsValueType
                ? field.SetValue
                : Expression.Lambda<Action<object, object?>>(Expression.Assign(Expression.Field(owner, field), Expression.Convert(value, field.FieldType)), target, value).Compile();
            return new MemberCopier(get, set);
        }

        public void CopyInto(object source, object copy, Graph graph)
        {
            if (get(source) is { } value)
            {
                set(copy, Copy(value, graph));
            }
        }
    }
}
