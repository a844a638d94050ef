using System.Runtime.CompilerServices;
using Stockpile.Internal.Keys;

namespace Stockpile;

/// <summary>
/// A look-up: an entity type, one of its declared keys, and the key's values. Stores find objects by it.
/// </summary>
/// <remarks>
/// <para>Values are checked against the key when the look-up is made: their number must match the key's properties,
/// and each value must have the property's type (integers convert when they fit; an enum's underlying integer converts
/// to the enum). A composite key's values may also be given as one tuple.</para>
/// <para>Two look-ups are equal when they name the same type, key and values.</para>
/// </remarks>
public sealed class EntityKey : IEquatable<EntityKey>
{
    // A look-up made from one value keeps it inline and makes the array only when Values is read: building a look-up
    // per call (EntityKey.Of<T>("Sku", sku)) then costs one small allocation.
    private readonly object _first;
    private object[]? _values;
    private string? _encoded;
    private string? _encodedPolymorphic;

    // The entity type is the key's owner, not a field: a look-up is then 56 bytes.
    private EntityKey(StockpileEntityType entityType, KeyDefinition key, object[] values)
    {
        System.Diagnostics.Debug.Assert(ReferenceEquals(key.Owner, entityType), "a look-up's key belongs to its entity type");
        Key = key;
        _first = values[0];
        _values = values;
    }

    private EntityKey(StockpileEntityType entityType, KeyDefinition key, object value)
    {
        System.Diagnostics.Debug.Assert(ReferenceEquals(key.Owner, entityType), "a look-up's key belongs to its entity type");
        Key = key;
        _first = value;
    }

    /// <summary>Gets the entity type looked up.</summary>
    public StockpileEntityType EntityType => Key.Owner;

    /// <summary>Gets the key looked up by.</summary>
    public KeyDefinition Key { get; }

    /// <summary>Gets the key's values, converted to the key properties' types.</summary>
    public IReadOnlyList<object> Values => _values ??= [_first];

    /// <summary>The values without making an array: the stores' hot paths read these.</summary>
    internal ReadOnlySpan<object> ValueSpan => _values is { } values ? values : new ReadOnlySpan<object>(in _first);

    /// <summary>The first value: the whole key when it is not composite.</summary>
    internal object FirstValue => _first;

    /// <summary>Makes a look-up of <typeparamref name="T"/> by its primary key.</summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <param name="values">The primary key's values (one per key property, or one tuple).</param>
    /// <returns>The look-up.</returns>
    /// <exception cref="StockpileKeyException">The values do not fit the primary key.</exception>
    public static EntityKey For<T>(params object[] values) => Create(StockpileEntityType.For<T>(), null, values);

    /// <summary>Makes a look-up of <typeparamref name="T"/> by its primary key's one value.</summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <param name="value">The primary key's value (or, for a composite key, one tuple).</param>
    /// <returns>The look-up.</returns>
    /// <exception cref="StockpileKeyException">The value does not fit the primary key.</exception>
    public static EntityKey For<T>(object value)
    {
        var entityType = StockpileEntityType.For<T>();
        return Single(entityType, entityType.PrimaryKey, value);
    }

    /// <summary>Makes a look-up of <typeparamref name="T"/> by the named key.</summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <param name="keyName">The key's name, as declared.</param>
    /// <param name="values">The key's values (one per key property, or one tuple).</param>
    /// <returns>The look-up.</returns>
    /// <exception cref="StockpileKeyException">No key has that name, or the values do not fit it.</exception>
    public static EntityKey Of<T>(string keyName, params object[] values)
    {
        ArgumentNullException.ThrowIfNull(keyName);
        return Create(StockpileEntityType.For<T>(), keyName, values);
    }

    /// <summary>Makes a look-up of <typeparamref name="T"/> by the named key's one value.</summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <param name="keyName">The key's name, as declared.</param>
    /// <param name="value">The key's value (or, for a composite key, one tuple).</param>
    /// <returns>The look-up.</returns>
    /// <exception cref="StockpileKeyException">No key has that name, or the value does not fit it.</exception>
    public static EntityKey Of<T>(string keyName, object value)
    {
        ArgumentNullException.ThrowIfNull(keyName);
        var entityType = StockpileEntityType.For<T>();
        return Single(entityType, entityType.GetKey(keyName), value);
    }

    /// <summary>Makes a look-up of <paramref name="entityType"/> by the named key, or by the primary key when <paramref name="keyName"/> is <see langword="null"/>.</summary>
    /// <param name="entityType">The entity type.</param>
    /// <param name="keyName">The key's name, or <see langword="null"/> for the primary key.</param>
    /// <param name="values">The key's values.</param>
    /// <returns>The look-up.</returns>
    /// <exception cref="StockpileKeyException">No key has that name, or the values do not fit it.</exception>
    public static EntityKey Of(Type entityType, string? keyName, params object[] values) =>
        Create(StockpileEntityType.For(entityType), keyName, values);

    /// <summary>Makes the look-up of an object by its primary key.</summary>
    /// <param name="entity">The object.</param>
    /// <returns>The look-up.</returns>
    /// <exception cref="StockpileKeyException">The object's primary key value is null.</exception>
    public static EntityKey FromEntity(object entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var type = StockpileEntityType.For(entity.GetType());
        EnsurePrimaryKey(type, entity);
        return FromEntity(type, type.PrimaryKey, entity)!;
    }

    /// <summary>Checks that an object has its primary key, without making a look-up.</summary>
    /// <exception cref="StockpileKeyException">The object's primary key value is null.</exception>
    internal static void EnsurePrimaryKey(StockpileEntityType entityType, object entity)
    {
        if (!entityType.PrimaryKey.IsSetOn(entity))
        {
            throw new StockpileKeyException(entityType.ClrType, entityType.PrimaryKey.Name, "the object's primary key value is null; an object needs its primary key to be stored or found.");
        }
    }

    /// <summary>Reads one key of an object; <see langword="null"/> when a value of that key is null.</summary>
    internal static EntityKey? FromEntity(StockpileEntityType entityType, KeyDefinition key, object entity)
    {
        // One value is kept inline: no array per look-up (a save of 100 rows makes hundreds).
        if (!key.IsComposite)
        {
            return key.Accessors[0].Read(entity) is { } value ? new EntityKey(entityType, key, value) : null;
        }

        var values = key.ReadValues(entity);
        return values is null ? null : new EntityKey(entityType, key, values);
    }

    /// <summary>Whether an object has this look-up's values under its key: a pointer to it may outlive its claim on the key.</summary>
    internal bool IsHeldBy(object entity) =>
        Key.IsComposite
            ? Key.ReadValues(entity) is { } values && values.AsSpan().SequenceEqual(ValueSpan)
            : Key.Accessors[0].Read(entity) is { } value && EqualityComparer<object>.Default.Equals(value, _first);

    /// <summary>Makes a look-up from values already of the key's types.</summary>
    internal static EntityKey FromNormalized(StockpileEntityType entityType, KeyDefinition key, object[] values) => new(entityType, key, values);

    /// <summary>Gets the canonical string of this look-up: stable across processes, and different for different look-ups.</summary>
    /// <param name="polymorphic">When <see langword="true"/>, the key's declaring type stands in for the entity type, so an object is found as any type that shares the key.</param>
    /// <returns>The encoded key.</returns>
    public string Encode(bool polymorphic = false)
    {
        if (polymorphic)
        {
            return _encodedPolymorphic ??= CanonicalKeyEncoder.Encode(Internal.TypeNames.Canonical(Key.DeclaringType), Key.Name, CanonicalValues());
        }

        return _encoded ??= CanonicalKeyEncoder.Encode(EntityType.CanonicalName, Key.Name, CanonicalValues());
    }

    /// <summary>
    /// Gets the canonical string of this look-up with the type's short token (<see cref="StockpileEntityType.KeyToken"/>)
    /// in place of its canonical name: what a store that keeps its keys short files the object under. Distinct
    /// look-ups of the types one process knows still encode differently (tokens are claimed like names).
    /// </summary>
    /// <remarks>Not cached, unlike <see cref="Encode"/>: a field for it would grow every look-up of every store by 8 bytes.</remarks>
    internal string EncodeCompact(bool polymorphic) =>
        CanonicalKeyEncoder.Encode(polymorphic ? Internal.TypeNames.Token(Key.DeclaringType) : EntityType.KeyToken, Key.Name, CanonicalValues());

    /// <summary>The values as encoded: a converted key property (a strongly typed id) contributes its converted value.</summary>
    private ReadOnlySpan<object> CanonicalValues()
    {
        if (!Key.HasConverters)
        {
            return ValueSpan;
        }

        var source = ValueSpan;
        var values = new object[source.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Key.Accessors[i].Converter is { } converter ? converter.ToCanonical(source[i]) : source[i];
        }

        return values;
    }

    /// <summary>Gets this look-up as seen from another entity type that shares the key (a base or derived type).</summary>
    /// <exception cref="StockpileKeyException">The other type does not share the key, or its key has other value types.</exception>
    internal EntityKey Retarget(StockpileEntityType entityType)
    {
        if (ReferenceEquals(entityType, EntityType))
        {
            return this;
        }

        // A key of the same name on an unrelated type is another key: looking it up would search the wrong objects, or
        // cast the values to types they do not have.
        var key = entityType.GetKey(Key.Name);
        var shared = key.DeclaringType == Key.DeclaringType
            || entityType.ClrType.IsAssignableFrom(EntityType.ClrType)
            || EntityType.ClrType.IsAssignableFrom(entityType.ClrType);
        if (!shared || !key.ValueTypes.SequenceEqual(Key.ValueTypes))
        {
            throw new StockpileKeyException(entityType.ClrType, Key.Name, $"the look-up was made for '{Internal.TypeNames.Display(EntityType.ClrType)}', which does not share this key; make the look-up for '{Internal.TypeNames.Display(entityType.ClrType)}'.");
        }

        return _values is { } values ? new EntityKey(entityType, key, values) : new EntityKey(entityType, key, _first);
    }

    /// <inheritdoc/>
    public bool Equals(EntityKey? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (EntityType.ClrType == other.EntityType.ClrType && Key.Name == other.Key.Name && ValueSpan.SequenceEqual(other.ValueSpan)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EntityKey);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(EntityType.ClrType);
        hash.Add(Key.Name);
        foreach (var value in ValueSpan)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => Encode();

    private static EntityKey Single(StockpileEntityType entityType, KeyDefinition key, object value) =>
        !key.IsComposite && value is not null && value.GetType() == key.Accessors[0].ValueType
            ? new EntityKey(entityType, key, value)
            : Build(entityType, key, [value!]);

    private static EntityKey Create(StockpileEntityType entityType, string? keyName, object[] values) =>
        Build(entityType, keyName is null ? entityType.PrimaryKey : entityType.GetKey(keyName), values);

    private static EntityKey Build(StockpileEntityType entityType, KeyDefinition key, object[] values)
    {
        values ??= [null!];
        if (values.Length == 1 && key.IsComposite && values[0] is ITuple tuple)
        {
            var expanded = new object[tuple.Length];
            for (var i = 0; i < tuple.Length; i++)
            {
                expanded[i] = tuple[i]!;
            }

            values = expanded;
        }

        if (values.Length != key.Accessors.Length)
        {
            throw new StockpileKeyException(entityType.ClrType, key.Name, $"the key has {key.Accessors.Length} part(s) ({string.Join(", ", key.Properties.Select(static p => p.Name))}) but {values.Length} value(s) were given.");
        }

        var normalized = new object[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var accessor = key.Accessors[i];
            var value = values[i];
            if (value is null)
            {
                throw new StockpileKeyException(entityType.ClrType, key.Name, $"the value for '{accessor.Property.Name}' is null; a key value cannot be null.");
            }

            if (accessor.Converter is { } converter && value.GetType() == converter.CanonicalType)
            {
                value = converter.FromCanonical(value);
            }

            if (!KeyValueTypes.TryNormalize(value, accessor.ValueType, out normalized[i]))
            {
                throw new StockpileKeyException(entityType.ClrType, key.Name, $"the value for '{accessor.Property.Name}' is a '{value.GetType().Name}' but the property is a '{accessor.ValueType.Name}'.");
            }
        }

        return new EntityKey(entityType, key, normalized);
    }
}
