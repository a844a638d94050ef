using Stockpile.Internal.Tags;

namespace Stockpile;

/// <summary>
/// Declares the tags of entity types in code, and reads an entity's tags. Tags let one call
/// (<see cref="ObjectStore.RemoveByTagAsync"/>, or <see cref="IStockpileCache.RemoveByTagAsync"/> for cache items and
/// entities together) remove every entity carrying a tag from every cache tier, on every instance; the database is
/// never touched, so the next read of such an entity comes from it.
/// </summary>
/// <remarks>
/// <para>Tags are declared per type, once per process, like keys: with <see cref="StockpileTagAttribute"/> on
/// properties, or with a selector registered here (which replaces the attributes of that type). A selector applies to
/// the type and to the types derived from it that have none of their own. It is called when an entity is put into or
/// back-filled into a cache tier, never on a read.</para>
/// <para>Types without tags pay nothing: no selector runs and no tier keeps anything for them.</para>
/// </remarks>
public static class StockpileEntityTags
{
    /// <summary>Registers the tags of <typeparamref name="T"/> (and of types derived from it that declare none of their own).</summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <param name="selector">Returns an entity's tags; <see langword="null"/> or empty for none. Each tag must be non-empty text.</param>
    /// <remarks>
    /// Register before the first entity of the type is written: an entity already in a tier keeps the tags it was
    /// written with. Registering again replaces the selector.
    /// </remarks>
    /// <example><code>StockpileEntityTags.Register&lt;Order&gt;(o =&gt; [$"tenant:{o.TenantId}", $"region:{o.Region}"]);</code></example>
    public static void Register<T>(Func<T, IEnumerable<string>?> selector)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(selector);
        EntityTagRegistry.Register(typeof(T), entity => selector((T)entity));
    }

    /// <summary>Gets the tags an entity is filed under when it is written to a cache tier.</summary>
    /// <param name="entity">The entity.</param>
    /// <returns>The tags, distinct; empty for a type without tags.</returns>
    /// <exception cref="InvalidOperationException">The type's selector failed or returned an empty tag; the message names the type, the key and the reason.</exception>
    public static IReadOnlyList<string> Of(object entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return StockpileEntityType.For(entity.GetType()).TagSelector?.TagsOf(entity) ?? [];
    }
}
