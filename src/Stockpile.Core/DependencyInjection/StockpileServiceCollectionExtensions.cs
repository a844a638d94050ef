using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stockpile;
using Stockpile.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Stockpile in a service collection.</summary>
public static class StockpileServiceCollectionExtensions
{
    /// <summary>
    /// Registers Stockpile: a <see cref="ChainedStore"/> (also as <see cref="ObjectStore"/>) made of the tiers added
    /// through the returned builder, in the order they are added (fastest first, source of truth last).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; applied after configuration binding.</param>
    /// <returns>The builder, to add tiers with.</returns>
    /// <example>
    /// <code>
    /// services.AddStockpile(o => o.Memory.SizeLimit = 50_000)
    ///     .AddMemoryStore()
    ///     .AddEfCoreStore&lt;ShopContext&gt;();
    /// </code>
    /// </example>
    public static IStockpileBuilder AddStockpile(this IServiceCollection services, Action<StockpileOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<StockpileOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StockpileOptions>, StockpileOptionsValidator>());
        services.TryAddSingleton(sp => new StockpileMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(CreateChain);
        services.TryAddSingleton<ObjectStore>(static sp => sp.GetRequiredService<ChainedStore>());
        services.TryAddScoped<ScopedStore>();
        return new StockpileBuilder(services);
    }

    /// <summary>Registers Stockpile with options bound from a configuration section (e.g. <c>configuration.GetSection("Stockpile")</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="StockpileOptions"/>.</param>
    /// <param name="configure">Configures the options further; applied after binding.</param>
    /// <returns>The builder, to add tiers with.</returns>
    public static IStockpileBuilder AddStockpile(this IServiceCollection services, IConfiguration configuration, Action<StockpileOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StockpileOptions>().Bind(configuration);
        return services.AddStockpile(configure);
    }

    private static ChainedStore CreateChain(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StockpileOptions>>().Value;
        var tiers = services.GetServices<StockpileTierRegistration>().Select(r => r.Factory(services)).ToArray();
        if (tiers.Length == 0)
        {
            throw new InvalidOperationException("Stockpile has no tiers. Add them after AddStockpile(), fastest first, e.g. .AddMemoryStore().AddEfCoreStore<TContext>().");
        }

        var chainOptions = new ChainedStoreOptions { Name = options.Name, ThrowOnCacheReadFailure = options.ThrowOnCacheReadFailure, BackfillSharedTiersInBackground = options.BackfillSharedTiersInBackground, EvictSharedTiersInBackground = options.EvictSharedTiersInBackground };
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<ChainedStore>();
        return new ChainedStore(tiers, chainOptions, logger, services.GetRequiredService<StockpileMetrics>())
        {
            Backplane = services.GetService<IStockpileBackplane>(),
        };
    }
}
