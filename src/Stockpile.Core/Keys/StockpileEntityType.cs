using System.Collections.Concurrent;

namespace Stockpile;

/// <summary>
/// The keys of one entity type, read once from its <see cref="StockpileKeyAttribute"/>s (or registered explicitly) and
/// compiled into accessors.
/// </summary>
/// <remarks>Instances are cached per type for the life of the process; getting one is a dictionary look-up.</remarks>
public sealed partial class StockpileEntityType
{
    private static readonly ConcurrentDictionary<Type, StockpileEntityType> s_types = new();
    private static readonly ConcurrentDictionary<string, StockpileEntityType> s_byCanonicalName = new(StringComparer.Ordinal);

    private readonly Dictionary<string, KeyDefinition> _byName;
    private readonly KeyDefinition[] _keys;

    private StockpileEntityType(Type clrType, KeyDefinition[] keys)
    {
        ClrType = clrType;
        Keys = keys;
        _keys = keys;
        foreach (var key in keys)
        {
            key.Owner = this;
        }

        _byName = keys.ToDictionary(static k => k.Name, StringComparer.Ordinal);
        CanonicalName = Internal.TypeNames.Canonical(clrType);
        KeyToken = Internal.TypeNames.Token(clrType);
        Slot = Internal.Memory.TypeSlot.Of(clrType);
    }

    /// <summary>The type's small integer (see <see cref="Internal.Memory.TypeSlot{T}"/>): stores find its view by array index.</summary>
    internal int Slot { get; }

    /// <summary>Gets the entity's CLR type.</summary>
    public Type ClrType { get; }

    /// <summary>Gets the primary key.</summary>
    public KeyDefinition PrimaryKey => Keys[0];

    /// <summary>Gets every key, the primary key first.</summary>
    public IReadOnlyList<KeyDefinition> Keys { get; }

    /// <summary>Gets the type's name in canonical key encodings: stable across processes and machines.</summary>
    public string CanonicalName { get; }

    /// <summary>
    /// The type's short name in keys of stores that keep them short (see <see cref="Internal.TypeNames.Token"/>): claimed
    /// when the type is first used, so two types of one process never share it.
    /// </summary>
    internal string KeyToken { get; }

    /// <summary>Gets the keys of <paramref name="type"/>, reading its attributes on first use.</summary>
    /// <remarks>A type generated at run time (a proxy) gets the keys of the type it derives from.</remarks>
    /// <param name="type">The entity type.</param>
    /// <returns>The type's keys.</returns>
    /// <exception cref="StockpileKeyException">The type declares no key, or declares one wrongly.</exception>
    public static StockpileEntityType For(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return s_types.TryGetValue(type, out var known) ? known : Known(s_types.GetOrAdd(type, Discover(type)));
    }

    // A subclass generated at run time (an EF Core lazy-loading or change-tracking proxy, any Castle proxy) is the
    // entity type it derives from: filed, found and evicted under that type's keys.
    private static StockpileEntityType Discover(Type type) =>
        EntityClrType(type) is var entityType && entityType != type ? For(entityType) : FromAttributes(type);

    /// <summary>Gets the type an object is filed as: itself, or for a subclass generated at run time (a proxy), the type it was generated from.</summary>
    internal static Type EntityClrType(Type type) =>
        type.Assembly.IsDynamic && type.BaseType is { } generatedFrom && generatedFrom != typeof(object) ? EntityClrType(generatedFrom) : type;

    /// <summary>Finds a type this process has already used, by its <see cref="CanonicalName"/> (for messages from other processes).</summary>
    internal static bool TryFindKnown(string canonicalName, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out StockpileEntityType entityType) =>
        s_byCanonicalName.TryGetValue(canonicalName, out entityType);

    private static StockpileEntityType Known(StockpileEntityType entityType)
    {
        s_byCanonicalName.TryAdd(entityType.CanonicalName, entityType);

        // Tags are read with the keys, so every tagged type this process has met is known to a removal by tag, which
        // guards them all (a first back-fill of the type racing the removal is undone like any other).
        _ = entityType.TagSelector;
        return entityType;
    }

    /// <summary>Gets the keys of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <returns>The type's keys.</returns>
    /// <exception cref="StockpileKeyException">The type declares no key, or declares one wrongly.</exception>
    public static StockpileEntityType For<T>() => Cache<T>.Instance ??= For(typeof(T));

    /// <summary>Gets a key by name.</summary>
    /// <param name="name">The key's name.</param>
    /// <returns>The key.</returns>
    /// <exception cref="StockpileKeyException">The type declares no key of that name.</exception>
    public KeyDefinition GetKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);

        // Key names are interned and so are the literals and nameof()s callers pass: a reference check finds the key
        // without hashing the name.
        foreach (var candidate in _keys)
        {
            if (ReferenceEquals(candidate.Name, name))
            {
                return candidate;
            }
        }

        return _byName.TryGetValue(name, out var key)
            ? key
            : throw new StockpileKeyException(ClrType, name, $"no such key is declared; the declared keys are {string.Join(", ", _byName.Keys.Select(static k => $"'{k}'"))}.");
    }

    /// <summary>Gets a key by name, if the type declares it.</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="key">The key, when found.</param>
    /// <returns><see langword="true"/> when the type declares the key.</returns>
    public bool TryGetKey(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out KeyDefinition key) => _byName.TryGetValue(name, out key);

    /// <inheritdoc/>
    public override string ToString() => $"{ClrType.Name} ({string.Join(", ", Keys.Select(static k => k.Name))})";

    // Not a static initializer: a key error must surface as itself, not wrapped in a TypeInitializationException.
    private static class Cache<T>
    {
        public static StockpileEntityType? Instance;
    }
}
