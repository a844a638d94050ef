namespace Stockpile;

/// <summary>Options of the chain <c>AddStockpile</c> registers; bindable from configuration (section <c>Stockpile</c> by convention).</summary>
public sealed class StockpileOptions
{
    /// <summary>Gets or sets the chain's name in logs and metrics.</summary>
    /// <value>The default value is <c>"chain"</c>.</value>
    public string Name { get; set; } = "chain";

    /// <summary>Gets or sets a value indicating whether a cache tier that fails a read makes the read fail.</summary>
    /// <value>The default value is <see langword="false"/>: failures are logged and the read falls through.</value>
    public bool ThrowOnCacheReadFailure { get; set; }

    /// <summary>Gets or sets whether the chain back-fills Redis after a read's caller has its answer (see <see cref="ChainedStoreOptions.BackfillSharedTiersInBackground"/>).</summary>
    /// <value>The default value is <see langword="true"/>; <see langword="false"/> makes a read wait for every back-fill.</value>
    public bool BackfillSharedTiersInBackground { get; set; } = true;

    /// <summary>Gets or sets whether the interceptor's eviction after a commit leaves Redis and the backplane's message to the background (see <see cref="ChainedStoreOptions.EvictSharedTiersInBackground"/>).</summary>
    /// <value>The default value is <see langword="true"/>: <c>SaveChanges</c> returns once memory evicted the objects; <see langword="false"/> makes it wait until Redis evicted them too.</value>
    public bool EvictSharedTiersInBackground { get; set; } = true;

    /// <summary>Gets the options of the memory tier that <c>AddMemoryStore</c> registers.</summary>
    public MemoryStoreOptions Memory { get; } = new();

    /// <summary>Gets what can be declared about an entity type here: its tags.</summary>
    /// <typeparam name="T">The entity type.</typeparam>
    /// <returns>The type's declarations.</returns>
    /// <example><code>services.AddStockpile(o =&gt; o.Entity&lt;Order&gt;().Tags(order =&gt; [$"tenant:{order.TenantId}"]));</code></example>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Read as o.Entity<T>() in a configure callback, beside the other options.")]
    public StockpileEntityOptions<T> Entity<T>()
        where T : class => new();
}
