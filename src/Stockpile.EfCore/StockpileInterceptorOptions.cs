using System.Collections.Concurrent;

namespace Stockpile;

/// <summary>Options of the Stockpile SaveChanges interceptor.</summary>
public sealed class StockpileInterceptorOptions
{
    private readonly ConcurrentDictionary<Type, StockpileCommitPolicy> _resolved = new();

    /// <summary>Gets or sets the policy of entity types that have none of their own in <see cref="Policies"/>.</summary>
    /// <value>The default value is <see cref="StockpileCommitPolicy.Evict"/>.</value>
    public StockpileCommitPolicy DefaultPolicy { get; set; } = StockpileCommitPolicy.Evict;

    /// <summary>Gets the policy of each entity type; a type without one uses its nearest base type's, then <see cref="DefaultPolicy"/>.</summary>
    /// <remarks>Every type listed must be mapped by the context; the first save that meets a model without it throws <see cref="StockpileMappingException"/>.</remarks>
    public IDictionary<Type, StockpileCommitPolicy> Policies { get; } = new Dictionary<Type, StockpileCommitPolicy>();

    /// <summary>
    /// Gets or sets a value indicating whether entity types without <see cref="StockpileKeyAttribute"/>s take their keys
    /// from the EF Core model, as <see cref="EfCoreStoreOptions.UseModelKeys"/> does for the store.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: changes to types Stockpile does not know are ignored.</value>
    public bool UseModelKeys { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the commits of the contexts this interceptor is added to write invalidation
    /// outbox rows, as <c>AddOutbox&lt;TContext&gt;()</c> makes them do with dependency injection. It is how a set-up
    /// built by hand (<c>AddStockpileInterceptor(chain, ...)</c>) turns the outbox on; drain the rows left behind with a
    /// <see cref="StockpileOutboxDrainer{TContext}"/>.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>
    /// Each such context's model needs the table (<see cref="StockpileOutboxModelBuilderExtensions.AddStockpileOutbox"/>):
    /// a save through one without it throws <see cref="InvalidOperationException"/> naming the context type, before
    /// anything is written. Set on the options of a container (<c>AddEfCoreStore(configureInterceptor: ...)</c>), it turns
    /// the outbox on for every context that container's interceptor serves; prefer <c>AddOutbox&lt;TContext&gt;()</c> there,
    /// which also registers the drainer and the health check.
    /// </remarks>
    public bool UseOutbox { get; set; }

    /// <summary>
    /// Gets or sets the cache that keeps the results of <c>Cached()</c> queries when the interceptor is added with a
    /// chain (<c>AddStockpileInterceptor(chain, ...)</c>); added with a service provider, it uses the container's caches.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: cached queries throw until a cache is set.</value>
    public StockpileCache? QueryCache { get; set; }

    /// <summary>Sets the policy of <typeparamref name="TEntity"/> (and of types derived from it that have none of their own).</summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="policy">The policy.</param>
    /// <returns>These options, for chaining.</returns>
    public StockpileInterceptorOptions SetPolicy<TEntity>(StockpileCommitPolicy policy)
        where TEntity : class
    {
        Policies[typeof(TEntity)] = policy;
        return this;
    }

    // The factory takes the options as its argument: a lambda capturing them would be allocated on every call.
    internal StockpileCommitPolicy PolicyFor(Type type) => _resolved.GetOrAdd(type, static (t, options) =>
    {
        for (var current = t; current is not null; current = current.BaseType)
        {
            if (options.Policies.TryGetValue(current, out var policy))
            {
                return policy;
            }
        }

        return options.DefaultPolicy;
    }, this);
}
