using System.Reflection;
using Stockpile.Internal.Keys;

namespace Stockpile;

/// <summary>One declared unique key of an entity type: its name and the properties it is made of.</summary>
public sealed class KeyDefinition
{
    private readonly KeyPropertyAccessor[] _accessors;
    // The encoded type and key names every encoding of this key starts with, per layout: [polymorphic + 2 * compact].
    private readonly byte[]?[] _headsUtf8 = new byte[4][];

    internal KeyDefinition(string name, Type entityType, Type declaringType, bool isPrimary, int index, KeyPropertyAccessor[] accessors)
    {
        Name = string.Intern(name);
        EntityType = entityType;
        DeclaringType = declaringType;
        IsPrimary = isPrimary;
        Index = index;
        _accessors = accessors;
        Properties = Array.ConvertAll(accessors, static a => a.Property);
        ValueTypes = Array.ConvertAll(accessors, static a => a.ValueType);
        HasConverters = Array.Exists(accessors, static a => a.Converter is not null);
    }

    /// <summary>Gets the key's name: the name lookups use.</summary>
    public string Name { get; }

    /// <summary>Gets the entity type this definition belongs to.</summary>
    public Type EntityType { get; }

    /// <summary>Gets the type that declares the key: <see cref="EntityType"/> itself, or the base class it inherits the key from.</summary>
    /// <remarks>Polymorphic stores file objects under this type, so a <c>Car</c> is found as an <c>Automobile</c>.</remarks>
    public Type DeclaringType { get; }

    /// <summary>Gets a value indicating whether this is the primary key.</summary>
    public bool IsPrimary { get; }

    /// <summary>Gets the position of this key in <see cref="StockpileEntityType.Keys"/>; the primary key is 0.</summary>
    public int Index { get; }

    /// <summary>Gets the properties the key is made of, in key order.</summary>
    public IReadOnlyList<PropertyInfo> Properties { get; }

    /// <summary>Gets the value type of each key property, with any <see cref="Nullable{T}"/> removed.</summary>
    public IReadOnlyList<Type> ValueTypes { get; }

    /// <summary>Gets a value indicating whether the key is made of more than one property.</summary>
    public bool IsComposite => _accessors.Length > 1;

    internal KeyPropertyAccessor[] Accessors => _accessors;

    /// <summary>Gets a value indicating whether a property of the key is converted for encoding (a strongly typed id).</summary>
    internal bool HasConverters { get; }

    /// <summary>The description this key belongs to; set once, when it is built.</summary>
    internal StockpileEntityType Owner { get; set; } = null!;

    /// <summary>
    /// Writes the UTF-8 bytes of <see cref="EntityKey.Encode"/> for a look-up by this key's one value, without making the
    /// look-up (a key-value store's hot path); <see langword="false"/> when the key or value is not one this short path
    /// takes (composite, converted, another value type, a string that needs escapes) or the destination is too short.
    /// </summary>
    internal bool TryWriteCanonicalUtf8<TValue>(TValue value, bool polymorphic, Span<byte> destination, out int written) =>
        TryWriteCanonicalUtf8(value, polymorphic, compact: false, destination, out written);

    /// <summary>
    /// As <see cref="TryWriteCanonicalUtf8{TValue}(TValue, bool, Span{byte}, out int)"/>, for
    /// <see cref="EntityKey.EncodeCompact"/> when <paramref name="compact"/> is <see langword="true"/> (the type's
    /// short token in place of its canonical name).
    /// </summary>
    internal bool TryWriteCanonicalUtf8<TValue>(TValue value, bool polymorphic, bool compact, Span<byte> destination, out int written)
    {
        written = 0;
        if (IsComposite || HasConverters || _accessors[0].ValueType != typeof(TValue))
        {
            return false;
        }

        var head = _headsUtf8[(polymorphic ? 1 : 0) + (compact ? 2 : 0)] ??= MakeHead(polymorphic, compact);
        if (!head.AsSpan().TryCopyTo(destination) || !CanonicalKeyEncoder.TryWriteValueUtf8(value, destination[head.Length..], out var valueLength))
        {
            return false;
        }

        written = head.Length + valueLength;
        return true;
    }

    // The same names EntityKey.Encode (or EncodeCompact) writes: the key's declaring type for a polymorphic store, else the entity type.
    private byte[] MakeHead(bool polymorphic, bool compact)
    {
        var type = polymorphic ? DeclaringType : Owner.ClrType;
        var name = compact
            ? polymorphic ? Internal.TypeNames.Token(type) : Owner.KeyToken
            : polymorphic ? Internal.TypeNames.Canonical(type) : Owner.CanonicalName;
        return CanonicalKeyEncoder.HeadUtf8(name, Name);
    }

    /// <summary>
    /// Writes the UTF-8 bytes of <see cref="EntityKey.Encode"/> for this key of an object (a key-value store's put),
    /// as <see cref="TryWriteCanonicalUtf8{TValue}(TValue, bool, Span{byte}, out int)"/> does for a value; <see langword="false"/> when the key or the
    /// object's value is not one that path takes. An object whose value is null is not filed under the key: the call
    /// returns <see langword="true"/> with <paramref name="written"/> 0.
    /// </summary>
    internal bool TryWriteCanonicalUtf8(object entity, bool polymorphic, Span<byte> destination, out int written) =>
        TryWriteCanonicalUtf8(entity, polymorphic, compact: false, destination, out written);

    /// <summary>As <see cref="TryWriteCanonicalUtf8(object, bool, Span{byte}, out int)"/>, for <see cref="EntityKey.EncodeCompact"/> when <paramref name="compact"/> is <see langword="true"/>.</summary>
    internal bool TryWriteCanonicalUtf8(object entity, bool polymorphic, bool compact, Span<byte> destination, out int written)
    {
        written = 0;
        if (IsComposite || HasConverters)
        {
            return false;
        }

        return _accessors[0].Read(entity) switch
        {
            null => true,
            int value => TryWriteCanonicalUtf8(value, polymorphic, compact, destination, out written),
            long value => TryWriteCanonicalUtf8(value, polymorphic, compact, destination, out written),
            Guid value => TryWriteCanonicalUtf8(value, polymorphic, compact, destination, out written),
            string value => TryWriteCanonicalUtf8(value, polymorphic, compact, destination, out written),
            _ => false,
        };
    }

    /// <summary>Reads this key's values from an object; <see langword="null"/> when any of them is null (the object is not filed under this key).</summary>
    /// <param name="entity">An instance of <see cref="EntityType"/> or a type derived from it.</param>
    /// <returns>The normalized values, or <see langword="null"/>.</returns>
    internal object[]? ReadValues(object entity)
    {
        var values = new object[_accessors.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var value = _accessors[i].Read(entity);
            if (value is null)
            {
                return null;
            }

            values[i] = value;
        }

        return values;
    }

    /// <summary>Whether an object has every value of this key, without reading (boxing) them.</summary>
    internal bool IsSetOn(object entity)
    {
        foreach (var accessor in _accessors)
        {
            if (accessor.IsNull(entity))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value an index files an object under by this key: the value itself, or all of them for a composite key; <see langword="null"/> when one is null.</summary>
    internal object? ReadIndexValue(object entity) =>
        _accessors.Length == 1 ? _accessors[0].Read(entity) : ReadValues(entity) is { } values ? new Internal.Memory.CompositeKeyValue(values) : null;

    /// <inheritdoc/>
    public override string ToString() => $"{EntityType.Name}.{Name}";
}
