using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;

namespace Stockpile.Internal.Caching;

/// <summary>
/// How the cache keeps a value in process memory. Immutable types (strings, primitives and the like, and sealed types
/// marked <c>[ImmutableObject(true)]</c>, HybridCache's rule) are kept by reference. A mutable class whose every
/// instance field, its base classes' included, holds an immutable value (or a struct made only of such values) is
/// "flat": a memberwise copy of it shares nothing mutable, so it is kept as a private copy and copied again on each read,
/// one allocation instead of a serializer round trip. Every other type is kept as the serializer's bytes.
/// </summary>
/// <remarks>The answers are worked out once per type (reflection at first use, never on a hit).</remarks>
internal static class CacheValues
{
    private static readonly Func<object, object> s_memberwiseClone = (Func<object, object>)Delegate.CreateDelegate(
        typeof(Func<object, object>),
        typeof(object).GetMethod(nameof(MemberwiseClone), BindingFlags.Instance | BindingFlags.NonPublic)!);

    private static readonly ConcurrentDictionary<Type, bool> s_immutable = new();
    private static readonly ConcurrentDictionary<Type, bool> s_flat = new();

    public static bool IsImmutable(Type type) => s_immutable.GetOrAdd(type, static t =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(Guid)
        || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(DateOnly) || t == typeof(TimeOnly)
        || (t.IsSealed && t.GetCustomAttribute<ImmutableObjectAttribute>() is { Immutable: true }));

    /// <summary>Whether a memberwise copy of an instance of <paramref name="type"/> is a full copy.</summary>
    public static bool IsFlat(Type type) => s_flat.GetOrAdd(type, static t =>
        t.IsClass && !t.IsArray && !t.IsAbstract && !typeof(Delegate).IsAssignableFrom(t) && HasOnlyImmutableFields(t, 0));

    /// <summary>A memberwise copy of a value of a flat type.</summary>
    public static object Copy(object value) => s_memberwiseClone(value);

    private static bool HasOnlyImmutableFields(Type type, int depth)
    {
        if (depth > 8)
        {
            return false;
        }

        for (var level = type; level is not null && level != typeof(object) && level != typeof(ValueType); level = level.BaseType)
        {
            foreach (var field in level.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                var fieldType = field.FieldType;
                var immutable = IsImmutable(fieldType)
                    || (fieldType.IsValueType && !fieldType.IsPointer && !fieldType.IsByRefLike && HasOnlyImmutableFields(fieldType, depth + 1));
                if (!immutable)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
