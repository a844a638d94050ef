namespace Stockpile;

/// <summary>
/// Tags an entity by the value of the property it is placed on: the tag is <see cref="Prefix"/>, a colon and the value
/// (formatted with the invariant culture), e.g. <c>tenant:42</c>. Removing the tag
/// (<see cref="ObjectStore.RemoveByTagAsync"/>, <see cref="IStockpileCache.RemoveByTagAsync"/>) removes every entity
/// carrying it from every cache tier, never from the database.
/// </summary>
/// <remarks>
/// <para>An entity is tagged by its values when it is put or back-filled into a tier: an entity whose tenant changed is
/// filed under its new tag at its next write. A property whose value is <see langword="null"/> gives no tag.</para>
/// <para>For tags a property cannot express, register a selector instead:
/// <see cref="StockpileEntityTags.Register{T}(Func{T, IEnumerable{string}?})"/> or
/// <c>AddStockpile(o =&gt; o.Entity&lt;Order&gt;().Tags(…))</c>. A registered selector replaces the attributes.</para>
/// </remarks>
/// <example>
/// <code>
/// public sealed class Order
/// {
///     [StockpileKey] public int Id { get; set; }
///     [StockpileTag("tenant")] public int TenantId { get; set; }
/// }
/// // later: await store.RemoveByTagAsync("tenant:42");
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class StockpileTagAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="StockpileTagAttribute"/> class.</summary>
    /// <param name="prefix">What comes before the colon and the value, e.g. <c>"tenant"</c>.</param>
    public StockpileTagAttribute(string prefix)
    {
        Prefix = prefix;
    }

    /// <summary>Gets what comes before the colon and the property's value in the tag.</summary>
    public string Prefix { get; }
}
