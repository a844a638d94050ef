using System.Reflection;
using Stockpile.Internal.Keys;

namespace Stockpile;

public sealed partial class StockpileEntityType
{
    /// <summary>
    /// Registers the keys of a type explicitly, for types that carry no <see cref="StockpileKeyAttribute"/> (an EF Core
    /// model, say). The first key is the primary key.
    /// </summary>
    /// <param name="type">The entity type.</param>
    /// <param name="keys">Each key's name and property names, the primary key first.</param>
    /// <returns>The registered keys.</returns>
    /// <exception cref="StockpileKeyException">The keys are invalid, or the type's keys were already resolved differently.</exception>
    public static StockpileEntityType Register(Type type, IReadOnlyList<(string Name, IReadOnlyList<string> Properties)> keys) =>
        RegisterConverted(type, keys, null);

    /// <summary>Registers keys whose properties may need converting to be encoded (strongly typed ids an O/RM maps with a value converter).</summary>
    internal static StockpileEntityType RegisterConverted(Type type, IReadOnlyList<(string Name, IReadOnlyList<string> Properties)> keys, Func<PropertyInfo, KeyValueConverter?>? converters)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(keys);
        var declared = keys.Select((k, i) => new DeclaredKey(k.Name, [.. k.Properties], i == 0, type)).ToList();
        var built = Build(type, declared, converters);
        var stored = Known(s_types.GetOrAdd(type, built));
        if (!ReferenceEquals(stored, built) && !stored.SameKeysAs(built))
        {
            throw new StockpileKeyException(type, null, $"its keys were already resolved as {stored} and cannot be registered again as {built}.");
        }

        return stored;
    }

    /// <summary>Gets a value indicating whether two descriptions declare the same keys, in the same order, on the same properties.</summary>
    internal bool SameKeysAs(StockpileEntityType other) =>
        Keys.Count == other.Keys.Count
        && Keys.Zip(other.Keys).All(static p => p.First.Name == p.Second.Name
            && p.First.Properties.Select(static x => x.Name).SequenceEqual(p.Second.Properties.Select(static x => x.Name)));

    private static StockpileEntityType FromAttributes(Type type)
    {
        var declared = new List<DeclaredKey>();
        var hierarchy = new Stack<Type>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            hierarchy.Push(t);
        }

        foreach (var level in hierarchy)
        {
            foreach (var attribute in level.GetCustomAttributes<StockpileKeyAttribute>(inherit: false))
            {
                if (attribute.PropertyNames.Count == 0)
                {
                    throw new StockpileKeyException(type, attribute.Name, $"[StockpileKey] on class '{level.Name}' must name the properties of the key, e.g. [StockpileKey(nameof(A), nameof(B))].");
                }

                declared.Add(new DeclaredKey(attribute.Name, [.. attribute.PropertyNames], attribute.IsPrimary, level));
            }

            var properties = level.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .OrderBy(static p => p.MetadataToken);
            foreach (var property in properties)
            {
                foreach (var attribute in property.GetCustomAttributes<StockpileKeyAttribute>(inherit: false))
                {
                    if (attribute.PropertyNames.Count > 0)
                    {
                        throw new StockpileKeyException(type, attribute.Name ?? property.Name, $"[StockpileKey] on property '{property.Name}' must not name other properties; put a composite key on the class.");
                    }

                    declared.Add(new DeclaredKey(attribute.Name, [property.Name], attribute.IsPrimary, level));
                }
            }
        }

        if (declared.Count == 0)
        {
            throw new StockpileKeyException(type, null, "it declares no key. Mark its primary key property with [StockpileKey], or register its keys explicitly.");
        }

        return Build(type, declared);
    }

    private static StockpileEntityType Build(Type type, List<DeclaredKey> declared, Func<PropertyInfo, KeyValueConverter?>? converters = null)
    {
        if (declared.Count == 0)
        {
            throw new StockpileKeyException(type, null, "at least one key is required.");
        }

        var primaries = declared.Where(static d => d.IsPrimary).ToList();
        if (primaries.Count > 1)
        {
            throw new StockpileKeyException(type, primaries[1].DisplayName, $"more than one key is marked primary ('{primaries[0].DisplayName}' and '{primaries[1].DisplayName}').");
        }

        var primary = primaries.Count > 0 ? primaries[0] : declared[0];
        var ordered = new List<DeclaredKey> { primary };
        ordered.AddRange(declared.Where(d => !ReferenceEquals(d, primary)));

        var keys = new KeyDefinition[ordered.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var shapes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ordered.Count; i++)
        {
            var d = ordered[i];
            var name = d.DisplayName;
            if (d.Properties.Length == 0 || string.IsNullOrWhiteSpace(name))
            {
                throw new StockpileKeyException(type, name, "a key needs a name and at least one property.");
            }

            if (!names.Add(name))
            {
                throw new StockpileKeyException(type, name, "two keys have this name; give one of them another Name.");
            }

            if (!shapes.Add(string.Join("+", d.Properties)))
            {
                throw new StockpileKeyException(type, name, $"the properties ({string.Join(", ", d.Properties)}) are declared as a key twice.");
            }

            var accessors = new KeyPropertyAccessor[d.Properties.Length];
            for (var p = 0; p < accessors.Length; p++)
            {
                accessors[p] = ResolveProperty(type, name, d.Properties[p], converters);
            }

            keys[i] = new KeyDefinition(name, type, d.DeclaringType, isPrimary: i == 0, index: i, accessors);
        }

        return new StockpileEntityType(type, keys);
    }

    private static KeyPropertyAccessor ResolveProperty(Type type, string keyName, string propertyName, Func<PropertyInfo, KeyValueConverter?>? converters)
    {
        PropertyInfo? property = null;
        for (var t = type; t is not null && property is null; t = t.BaseType)
        {
            property = t.GetProperty(propertyName, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
        }

        if (property is null)
        {
            throw new StockpileKeyException(type, keyName, $"the type has no property '{propertyName}'.");
        }

        if (property.GetMethod is null || property.GetIndexParameters().Length > 0)
        {
            throw new StockpileKeyException(type, keyName, $"property '{propertyName}' has no getter, or is an indexer.");
        }

        var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var converter = KeyValueTypes.IsSupported(valueType) ? null : converters?.Invoke(property);
        if (converter is not null && KeyValueTypes.IsSupported(converter.CanonicalType))
        {
            return new KeyPropertyAccessor(type, property, converter);
        }

        if (!KeyValueTypes.IsSupported(valueType))
        {
            throw new StockpileKeyException(type, keyName, $"property '{propertyName}' is of type '{property.PropertyType.Name}', which cannot be a key. Supported: integers, string, Guid, enums, bool, char, decimal, DateTime, DateTimeOffset, DateOnly, TimeOnly and their nullable forms.");
        }

        return new KeyPropertyAccessor(type, property);
    }

    private sealed record DeclaredKey(string? Name, string[] Properties, bool IsPrimary, Type DeclaringType)
    {
        public string DisplayName => Name ?? string.Join("+", Properties);
    }
}
