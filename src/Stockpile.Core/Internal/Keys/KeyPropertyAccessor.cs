using System.Linq.Expressions;
using System.Reflection;

namespace Stockpile.Internal.Keys;

/// <summary>
/// Reads one key property from an entity through a delegate compiled once per property, so no reflection runs per call.
/// </summary>
internal sealed class KeyPropertyAccessor
{
    private readonly Func<object, object?> _read;
    private readonly Func<object, bool>? _isNull;
    private readonly Type _entityType;
    private Delegate? _typedRead;

    public KeyPropertyAccessor(Type entityType, PropertyInfo property, KeyValueConverter? converter = null)
    {
        Property = property;
        _entityType = entityType;
        ValueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        Converter = converter;
        _read = Compile(entityType, property);
        _isNull = property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null
            ? null
            : CompileIsNull(entityType, property);
    }

    public PropertyInfo Property { get; }

    /// <summary>The property type with <see cref="Nullable{T}"/> removed: the type every value of this key has.</summary>
    public Type ValueType { get; }

    /// <summary>Gets the conversion of values of a type Stockpile cannot encode itself, or <see langword="null"/>.</summary>
    public KeyValueConverter? Converter { get; }

    public object? Read(object entity) => _read(entity);

    /// <summary>
    /// A delegate that reads the property as <typeparamref name="TValue"/> without boxing, compiled on first use;
    /// <see langword="null"/> unless <typeparamref name="TValue"/> is exactly the property's type.
    /// </summary>
    public Func<object, TValue>? TypedRead<TValue>()
    {
        if (_typedRead is Func<object, TValue> read)
        {
            return read;
        }

        if (Property.PropertyType != typeof(TValue))
        {
            return null;
        }

        // (object e) => ((TEntity)e).Property; a race compiles it twice, harmlessly.
        var parameter = Expression.Parameter(typeof(object), "entity");
        var typed = Expression.Convert(parameter, Property.DeclaringType ?? _entityType);
        read = Expression.Lambda<Func<object, TValue>>(Expression.Property(typed, Property), parameter).Compile();
        _typedRead = read;
        return read;
    }

    /// <summary>Whether the property is null, without boxing its value (a plain value type never is).</summary>
    public bool IsNull(object entity) => _isNull is not null && _isNull(entity);

    /// <summary>A delegate that reads a property of an entity as an object, compiled once (no reflection per call).</summary>
    public static Func<object, object?> CompileRead(Type entityType, PropertyInfo property) => Compile(entityType, property);

    private static Func<object, object?> Compile(Type entityType, PropertyInfo property)
    {
        // (object e) => (object)((TEntity)e).Property; a nullable value type boxes to null or to its underlying value.
        var parameter = Expression.Parameter(typeof(object), "entity");
        var typed = Expression.Convert(parameter, property.DeclaringType ?? entityType);
        var body = Expression.Convert(Expression.Property(typed, property), typeof(object));
        return Expression.Lambda<Func<object, object?>>(body, parameter).Compile();
    }

    private static Func<object, bool> CompileIsNull(Type entityType, PropertyInfo property)
    {
        // (object e) => ((TEntity)e).Property == null, for reference types and Nullable<T>.
        var parameter = Expression.Parameter(typeof(object), "entity");
        var typed = Expression.Convert(parameter, property.DeclaringType ?? entityType);
        var body = Expression.Equal(Expression.Property(typed, property), Expression.Constant(null, property.PropertyType));
        return Expression.Lambda<Func<object, bool>>(body, parameter).Compile();
    }
}
