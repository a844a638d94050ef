namespace Stockpile;

/// <summary>
/// Pins the name a type has in cache keys and stored payloads, in place of the name Stockpile derives from the type's
/// full name and assembly.
/// </summary>
/// <remarks>
/// <para>By default a type is named <c>Namespace.Type@Assembly</c> (for example
/// <c>Shop.Orders.Invoice@Shop.Domain</c>), so two types with one full name in different assemblies never share a key.
/// Renaming or moving the type, or renaming its assembly, then changes every key of the type: the caches start cold
/// for it (nothing wrong is served, but nothing old is found). Pin a name to keep keys stable across such
/// refactorings.</para>
/// <para>A pinned name is made of letters, digits and <c>. _ - : / +</c>, and must be unique among the types a process
/// uses: a second type with a name already taken is refused with a <see cref="StockpileKeyException"/> when it is
/// first used (at start-up for types of an EF Core model). The attribute is not inherited: a derived type has a name of
/// its own.</para>
/// <para>Stores that keep keys short (the Redis store) name an unpinned type by a token, a hash of its derived name;
/// a pinned type by its pinned name itself, which is then claimed as a token too.</para>
/// </remarks>
/// <example>
/// <code>
/// [StockpileType("shop.invoice")]
/// public sealed class Invoice { [StockpileKey] public int Id { get; set; } }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class StockpileTypeAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="StockpileTypeAttribute"/> class.</summary>
    /// <param name="name">The type's name in keys and payloads.</param>
    public StockpileTypeAttribute(string name)
    {
        Name = name;
    }

    /// <summary>Gets the type's name in keys and payloads.</summary>
    public string Name { get; }
}
