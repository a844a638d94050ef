namespace Stockpile;

/// <summary>
/// Declares a unique key of an entity type: on a property, a single-property key; on the class, a composite key
/// made of the named properties.
/// </summary>
/// <remarks>
/// <para>A type has one primary key and any number of alternate keys. The primary key is the key marked
/// <see cref="IsPrimary"/>; when none is marked, it is the first key declared, where keys of a base class come before
/// those of a derived class, and keys on the class come before keys on its properties (in declaration order).</para>
/// <para>Keys declared on a base class are inherited by derived classes.</para>
/// </remarks>
/// <example>
/// <code>
/// [StockpileKey(nameof(TenantId), nameof(Number), Name = "TenantNumber")]
/// public sealed class Invoice
/// {
///     [StockpileKey] public int Id { get; set; }
///     [StockpileKey] public string Reference { get; set; } = "";
///     public int TenantId { get; set; }
///     public int Number { get; set; }
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class StockpileKeyAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="StockpileKeyAttribute"/> class for a key made of the property it is placed on.</summary>
    public StockpileKeyAttribute()
    {
        PropertyNames = [];
    }

    /// <summary>Initializes a new instance of the <see cref="StockpileKeyAttribute"/> class for a (composite) key made of the named properties, in that order.</summary>
    /// <param name="propertyNames">The names of the properties that make up the key.</param>
    public StockpileKeyAttribute(params string[] propertyNames)
    {
        PropertyNames = propertyNames ?? [];
    }

    /// <summary>Gets the names of the properties that make up the key, when the attribute is placed on a class.</summary>
    public IReadOnlyList<string> PropertyNames { get; }

    /// <summary>Gets or sets the name of the key, used to look objects up by it.</summary>
    /// <value>The default value is <see langword="null"/>: the property name, or the property names joined with <c>+</c>.</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets a value indicating whether this key is the type's primary key.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IsPrimary { get; set; }
}
