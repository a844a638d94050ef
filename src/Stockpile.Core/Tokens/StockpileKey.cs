using Stockpile.Internal.Tokens;

namespace Stockpile;

/// <summary>
/// Describes a cache key made of a name and any mix of entities, entity types, ids and plain values; an
/// <see cref="IStockpileKeyBuilder"/> turns it into a string that changes whenever one of the entities or types it
/// names is committed (see <see cref="IStockpileKeyBuilder.BuildAsync"/>).
/// </summary>
/// <example>
/// <code>
/// var key = StockpileKey.For("product-page").With(product).WithType&lt;Review&gt;().WithValue(culture.Name);
/// var html = await cache.GetOrCreateAsync(await keys.BuildAsync(key), product, RenderAsync);
/// </code>
/// </example>
public sealed class StockpileKey
{
    private readonly List<string> _tokens = [];
    private readonly List<string> _values = [];

    private StockpileKey(string name) => Name = name;

    /// <summary>Gets the key's name: the start of every key built from it.</summary>
    public string Name { get; }

    /// <summary>Gets the names of the tokens the key depends on, in the order they were added.</summary>
    internal IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Gets the plain values, canonically encoded (culture-free, injective), in the order they were added.</summary>
    internal IReadOnlyList<string> Values => _values;

    /// <summary>Starts a key.</summary>
    /// <param name="name">The key's name (what it caches, e.g. <c>"product-page"</c>).</param>
    /// <returns>The key, to add parts to.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static StockpileKey For(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new StockpileKey(name);
    }

    /// <summary>Makes the key depend on an entity: a commit that adds, changes or deletes it changes the key.</summary>
    /// <param name="entity">The entity (its type declares Stockpile keys, or an EF Core model registered them).</param>
    /// <returns>This key.</returns>
    /// <exception cref="StockpileKeyException">The object has no primary key value, or its type declares no key.</exception>
    public StockpileKey With(object entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return With(entity as EntityKey ?? EntityKey.FromEntity(entity));
    }

    /// <summary>Makes the key depend on the entity a look-up names (by its primary or an alternate key).</summary>
    /// <param name="key">The look-up.</param>
    /// <returns>This key.</returns>
    public StockpileKey With(EntityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _tokens.Add(TokenNames.Instance(key));
        return this;
    }

    /// <summary>Makes the key depend on each entity of a list.</summary>
    /// <param name="entities">The entities.</param>
    /// <returns>This key.</returns>
    public StockpileKey WithEach(IEnumerable<object> entities)
    {
        ArgumentNullException.ThrowIfNull(entities);
        foreach (var entity in entities)
        {
            With(entity);
        }

        return this;
    }

    /// <summary>Makes the key depend on the entity of type <typeparamref name="T"/> with this primary key value, loaded or not.</summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <param name="id">The primary key's value (a tuple for a composite key).</param>
    /// <returns>This key.</returns>
    /// <exception cref="StockpileKeyException">The value does not fit the primary key.</exception>
    public StockpileKey WithId<T>(object id) => With(EntityKey.For<T>(id));

    /// <summary>Makes the key depend on a whole entity type: a commit that changes any entity of it (or of a type derived from it) changes the key.</summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <returns>This key.</returns>
    public StockpileKey WithType<T>() => WithType(typeof(T));

    /// <summary>Makes the key depend on a whole entity type (see <see cref="WithType{T}"/>).</summary>
    /// <param name="type">The entity type.</param>
    /// <returns>This key.</returns>
    public StockpileKey WithType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        _tokens.Add(TokenNames.Type(type));
        return this;
    }

    /// <summary>Makes the key depend on every commit (the global token).</summary>
    /// <returns>This key.</returns>
    public StockpileKey WithGlobal()
    {
        _tokens.Add(TokenNames.Global);
        return this;
    }

    /// <summary>Adds a plain value (a page number, a culture): keys with other values differ.</summary>
    /// <param name="value">A string, number, <see cref="bool"/>, <see cref="Guid"/>, date or time, enum, or <see langword="null"/>.</param>
    /// <returns>This key.</returns>
    /// <exception cref="ArgumentException">The value is of another type (write it as a string).</exception>
    public StockpileKey WithValue(object? value)
    {
        _values.Add(value switch
        {
            null => "n",
            double d => "D:" + d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            float f => "F:" + f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            _ => Encode(value),
        });
        return this;
    }

    private string Encode(object value)
    {
        try
        {
            return Internal.Keys.CanonicalKeyEncoder.Encode(string.Empty, string.Empty, [value]);
        }
        catch (InvalidOperationException)
        {
            throw new ArgumentException(Internal.ExceptionMessages.KeyValue(Name, value.GetType()), nameof(value));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({_tokens.Count} token(s), {_values.Count} value(s))";
}
