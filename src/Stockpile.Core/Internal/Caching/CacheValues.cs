using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Stockpile.Internal.Caching;

/// <summary>
/// How the cache keeps a value in process memory. Immutable types (strings, primitives and the like, and sealed types
/// marked <c>[ImmutableObject(true)]</c>, HybridCache's rule) are kept by reference. A mutable class whose every
/// instance field, its base classes' included, holds an immutable value (or a struct made only of such values) is
/// "flat": a memberwise copy of it shares nothing mutable, so it is kept as a private copy and copied again on each read,
/// one allocation instead of a serializer round trip. Every other type is kept as the serializer's bytes.
/// </summary>
/// <remarks>
/// The answers are worked out once per type (reflection at first use, never on a hit). The copy of a flat type is a
/// method emitted once per type that allocates an uninitialized instance (no constructor runs, as with
/// <see cref="object.MemberwiseClone"/>) and copies each field: on .NET 10 a call to <c>MemberwiseClone</c> costs about
/// four times as much as this for a small class. Where code cannot be emitted (NativeAOT), the copy is
/// <c>MemberwiseClone</c> itself.
/// </remarks>
internal static class CacheValues
{
    private const BindingFlags DeclaredInstanceFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly Func<object, object> s_memberwiseClone = (Func<object, object>)Delegate.CreateDelegate(
        typeof(Func<object, object>),
        typeof(object).GetMethod(nameof(MemberwiseClone), BindingFlags.Instance | BindingFlags.NonPublic)!);

    private static readonly ConcurrentDictionary<Type, bool> s_immutable = new();
    private static readonly ConcurrentDictionary<Type, Func<object, object>?> s_copiers = new();

    public static bool IsImmutable(Type type) => s_immutable.GetOrAdd(type, static t =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(Guid)
        || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(DateOnly) || t == typeof(TimeOnly)
        || (t.IsSealed && t.GetCustomAttribute<ImmutableObjectAttribute>() is { Immutable: true }));

    /// <summary>Whether a memberwise copy of an instance of <paramref name="type"/> is a full copy.</summary>
    public static bool IsFlat(Type type) => CopierOf(type) is not null;

    /// <summary>
    /// The copy of an instance of the flat type <paramref name="type"/> (an instance of exactly that type in, a new one of
    /// the same type with the same fields out), built once per type; <see langword="null"/> when the type is not flat.
    /// </summary>
    public static Func<object, object>? CopierOf(Type type) => s_copiers.GetOrAdd(type, static t =>
        t.IsClass && !t.IsArray && !t.IsAbstract && !t.ContainsGenericParameters && !typeof(Delegate).IsAssignableFrom(t) && HasOnlyImmutableFields(t, 0)
            ? RuntimeFeature.IsDynamicCodeCompiled ? EmitCopier(t) : s_memberwiseClone
            : null);

    private static bool HasOnlyImmutableFields(Type type, int depth)
    {
        if (depth > 8)
        {
            return false;
        }

        for (var level = type; level is not null && level != typeof(object) && level != typeof(ValueType); level = level.BaseType)
        {
            foreach (var field in level.GetFields(DeclaredInstanceFields))
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

    /// <summary>Emits <c>copy = (T)RuntimeHelpers.GetUninitializedObject(typeof(T)); copy.f = source.f; …</c> over every instance field of <paramref name="type"/> and its bases.</summary>
    private static Func<object, object> EmitCopier(Type type)
    {
        // Anonymously hosted, skipping visibility: private and read-only fields, of any assembly, are copied like public ones.
        var method = new DynamicMethod("StockpileCopy_" + type.Name, typeof(object), [typeof(object)], restrictedSkipVisibility: true);
        var il = method.GetILGenerator();
        var source = il.DeclareLocal(type);
        var copy = il.DeclareLocal(type);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Castclass, type);
        il.Emit(OpCodes.Stloc, source);
        il.Emit(OpCodes.Ldtoken, type);
        il.Emit(OpCodes.Call, typeof(Type).GetMethod(nameof(Type.GetTypeFromHandle))!);
        il.Emit(OpCodes.Call, typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.GetUninitializedObject))!);
        il.Emit(OpCodes.Castclass, type);
        il.Emit(OpCodes.Stloc, copy);
        for (var level = type; level is not null && level != typeof(object); level = level.BaseType)
        {
            foreach (var field in level.GetFields(DeclaredInstanceFields))
            {
                il.Emit(OpCodes.Ldloc, copy);
                il.Emit(OpCodes.Ldloc, source);
                il.Emit(OpCodes.Ldfld, field);
                il.Emit(OpCodes.Stfld, field);
            }
        }

        il.Emit(OpCodes.Ldloc, copy);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<object, object>>();
    }
}
