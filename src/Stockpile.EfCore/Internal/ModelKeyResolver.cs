using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Stockpile.Internal.Keys;

namespace Stockpile.Internal;

/// <summary>
/// Resolves the Stockpile keys of the entity types of one EF Core model: declared keys are checked against the model,
/// undeclared ones are read from it when <c>UseModelKeys</c> is on. One instance per model and setting, shared by the
/// store and the interceptor.
/// </summary>
internal sealed class ModelKeyResolver
{
    private static readonly ConditionalWeakTable<IModel, ModelKeyResolver[]> s_resolvers = new();

    private readonly IModel _model;
    private readonly Type _contextType;
    private readonly bool _useModelKeys;
    private readonly ConcurrentDictionary<Type, StockpileEntityType?> _types = new();
    private readonly ConcurrentDictionary<(Type Type, string Key), string> _unsupported = new();

    private ModelKeyResolver(IModel model, Type contextType, bool useModelKeys)
    {
        _model = model;
        _contextType = contextType;
        _useModelKeys = useModelKeys;
    }

    public IModel Model => _model;

    public Type ContextType => _contextType;

    public static ModelKeyResolver For(DbContext context, bool useModelKeys)
    {
        var model = context.Model;
        var pair = s_resolvers.GetValue(model, m => [new ModelKeyResolver(m, context.GetType(), false), new ModelKeyResolver(m, context.GetType(), true)]);
        return pair[useModelKeys ? 1 : 0];
    }

    /// <summary>Gets, per entity type and key, why Stockpile leaves the key out (a type whose primary key is left out is not cached at all).</summary>
    public IEnumerable<KeyValuePair<(Type Type, string Key), string>> Unsupported => _unsupported;

    /// <summary>Checks every entity type of the model now, so a mismatch is a startup error.</summary>
    public void ValidateAll()
    {
        foreach (var entityType in _model.GetEntityTypes())
        {
            _ = Resolve(entityType);
        }
    }

    /// <summary>Resolves every entity type, logging instead of throwing, and logs every key Stockpile leaves out: the interceptor's start-up check.</summary>
    public void Report(Microsoft.Extensions.Logging.ILogger logger, bool resolveAll)
    {
        if (resolveAll)
        {
            foreach (var entityType in _model.GetEntityTypes())
            {
                try
                {
                    _ = Resolve(entityType);
                }
                catch (Exception ex) when (ex is StockpileMappingException or StockpileKeyException)
                {
                    _unsupported[(entityType.ClrType, "*")] = ex.Message;
                }
            }
        }

        foreach (var ((type, key), reason) in _unsupported)
        {
            Log.KeyNotCached(logger, TypeNames.Display(type), key, reason);
        }
    }

    /// <summary>Gets the EF entity type of a CLR type, or throws naming the type and the context.</summary>
    /// <remarks>A proxy type (generated at run time, deriving from the entity type) is its entity type.</remarks>
    public IEntityType EntityTypeOf(Type clrType) =>
        _model.FindEntityType(clrType)
        ?? (StockpileEntityType.EntityClrType(clrType) is var generatedFrom && generatedFrom != clrType ? _model.FindEntityType(generatedFrom) : null)
        ?? throw new StockpileMappingException(clrType, _contextType, null, EfExceptionMessages.NotMapped);

    /// <summary>Gets the Stockpile keys of an EF entity type; <see langword="null"/> when Stockpile does not know the type.</summary>
    public StockpileEntityType? Resolve(IEntityType entityType) =>
        _types.TryGetValue(entityType.ClrType, out var known) ? known : _types.GetOrAdd(entityType.ClrType, Build(entityType));

    private StockpileEntityType? Build(IEntityType entityType)
    {
        var clrType = entityType.ClrType;
        if (entityType.FindPrimaryKey() is null || entityType.IsOwned() || entityType.HasSharedClrType)
        {
            return null;
        }

        var declared = TryDeclared(clrType);
        if (declared is null)
        {
            if (!_useModelKeys)
            {
                return null;
            }

            var keys = ModelKeys(entityType);
            if (keys.Count == 0 || keys[0].Name != PrimaryKeyName(entityType))
            {
                // Caching a type by its alternate keys alone would leave writes by primary key unseen: not at all, then.
                return null;
            }

            declared = StockpileEntityType.RegisterConverted(clrType, keys, property => ConverterFor(entityType.FindProperty(property.Name)));
        }

        Validate(declared, entityType);
        return declared;
    }

    private static StockpileEntityType? TryDeclared(Type clrType)
    {
        try
        {
            return StockpileEntityType.For(clrType);
        }
        catch (StockpileKeyException) when (!HasKeyAttributes(clrType))
        {
            return null;
        }
    }

    private static bool HasKeyAttributes(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            if (t.IsDefined(typeof(StockpileKeyAttribute), inherit: false)
                || t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                    .Any(static p => p.IsDefined(typeof(StockpileKeyAttribute), inherit: false)))
            {
                return true;
            }
        }

        return false;
    }

    private static string PrimaryKeyName(IEntityType entityType) => string.Join("+", entityType.FindPrimaryKey()!.Properties.Select(static p => p.Name));

    /// <summary>
    /// The model's value converter of a key property whose type Stockpile cannot encode (a strongly typed id), when it
    /// converts to a type Stockpile can: the canonical key then holds the column's value.
    /// </summary>
    private static KeyValueConverter? ConverterFor(IProperty? property)
    {
        if (property is null || KeyValueTypes.IsSupported(Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType)
            || (property.GetValueConverter() ?? property.GetTypeMapping().Converter) is not { } converter)
        {
            return null;
        }

        var provider = Nullable.GetUnderlyingType(converter.ProviderClrType) ?? converter.ProviderClrType;
        return KeyValueTypes.IsSupported(provider)
            ? new KeyValueConverter(provider, value => converter.ConvertToProvider(value)!, value => converter.ConvertFromProvider(value)!)
            : null;
    }

    private List<(string Name, IReadOnlyList<string> Properties)> ModelKeys(IEntityType entityType)
    {
        var keys = new List<(string Name, IReadOnlyList<string> Properties)>();
        var shapes = new HashSet<string>(StringComparer.Ordinal);
        var unique = new[] { entityType.FindPrimaryKey()!.Properties }
            .Concat(entityType.GetKeys().Where(static k => !k.IsPrimaryKey()).Select(static k => k.Properties))
            .Concat(entityType.GetIndexes().Where(static i => i.IsUnique).Select(static i => i.Properties));
        foreach (var properties in unique)
        {
            var names = properties.Select(static p => p.Name).ToArray();
            var name = string.Join("+", names);
            if (properties.FirstOrDefault(static p => p.PropertyInfo is null
                || (!KeyValueTypes.IsSupported(Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType) && ConverterFor(p) is null)) is { } unusable)
            {
                _unsupported[(entityType.ClrType, name)] = unusable.PropertyInfo is null
                    ? $"property '{unusable.Name}' is a shadow or field-only property, which Stockpile cannot read from an object"
                    : $"property '{unusable.Name}' is of type '{TypeNames.Display(unusable.ClrType)}', which is not a supported key type and has no value converter to one";
                continue;
            }

            if (shapes.Add(name))
            {
                keys.Add((name, names));
            }
        }

        return keys;
    }

    private void Validate(StockpileEntityType declared, IEntityType entityType)
    {
        foreach (var key in declared.Keys)
        {
            foreach (var property in key.Properties)
            {
                if (entityType.FindProperty(property.Name) is null)
                {
                    throw new StockpileMappingException(declared.ClrType, _contextType, key.Name, $"property '{property.Name}' is not mapped in the model.");
                }
            }
        }

        var primary = entityType.FindPrimaryKey()!.Properties.Select(static p => p.Name).ToArray();
        var declaredPrimary = declared.PrimaryKey.Properties.Select(static p => p.Name).ToArray();
        if (!primary.SequenceEqual(declaredPrimary, StringComparer.Ordinal))
        {
            throw new StockpileMappingException(declared.ClrType, _contextType, declared.PrimaryKey.Name,
                $"the declared primary key is ({string.Join(", ", declaredPrimary)}) but the model's is ({string.Join(", ", primary)}).");
        }

        var uniqueShapes = entityType.GetKeys().Select(static k => k.Properties)
            .Concat(entityType.GetIndexes().Where(static i => i.IsUnique).Select(static i => i.Properties))
            .Select(static ps => Shape(ps.Select(static p => p.Name)))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var key in declared.Keys.Skip(1))
        {
            if (!uniqueShapes.Contains(Shape(key.Properties.Select(static p => p.Name))))
            {
                throw new StockpileMappingException(declared.ClrType, _contextType, key.Name,
                    $"the model has no alternate key or unique index on ({string.Join(", ", key.Properties.Select(static p => p.Name))}). "
                    + "Declare one (HasIndex(...).IsUnique() or HasAlternateKey(...)), or remove the [StockpileKey].");
            }
        }
    }

    private static string Shape(IEnumerable<string> names) => string.Join("+", names.Order(StringComparer.Ordinal));
}
