namespace Stockpile;

/// <summary>
/// Evicts from a chain's cache tiers what changed behind EF Core's back: raw SQL (<c>ExecuteSqlRaw</c>),
/// bulk copies, other applications. The SaveChanges interceptor never sees those writes.
/// </summary>
/// <remarks>Call these after the writing transaction commits. Each one also tells other instances through the chain's backplane.</remarks>
public static class StockpileInvalidationExtensions
{
    /// <summary>Evicts an entity under every one of its keys.</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="entity">The entity, with the key values the caches know it by.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when every cache tier has evicted it.</returns>
    /// <exception cref="StockpileKeyException">The entity's type declares no key, or its primary key value is null.</exception>
    public static ValueTask InvalidateEntityAsync(this ChainedStore chain, object entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return InvalidateEntitiesAsync(chain, [entity], cancellationToken);
    }

    /// <summary>Evicts entities under every one of their keys.</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="entities">The entities.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when every cache tier has evicted them.</returns>
    /// <exception cref="StockpileKeyException">An entity's type declares no key, or its primary key value is null.</exception>
    public static ValueTask InvalidateEntitiesAsync(this ChainedStore chain, IEnumerable<object> entities, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(entities);
        var keys = entities.SelectMany(static entity =>
        {
            var primary = EntityKey.FromEntity(entity);
            return primary.EntityType.Keys.Select(k => EntityKey.FromEntity(primary.EntityType, k, entity)).OfType<EntityKey>();
        }).ToArray();
        return chain.InvalidateAsync(keys, cancellationToken);
    }

    /// <summary>Evicts the entity one look-up names.</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="key">The look-up, by any key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when every cache tier has evicted it.</returns>
    public static ValueTask InvalidateKeyAsync(this ChainedStore chain, EntityKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(key);
        return chain.InvalidateAsync([key], cancellationToken);
    }

    /// <summary>Evicts every entity of a type: what to do after a bulk update whose rows are not known one by one.</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="chain">The chain.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when every cache tier has evicted the type.</returns>
    public static ValueTask InvalidateTypeAsync<TEntity>(this ChainedStore chain, CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(chain);
        return chain.InvalidateAsync(typeof(TEntity), cancellationToken);
    }
}
