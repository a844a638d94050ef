using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stockpile;

/// <summary>Adds the cache beside the entities (<see cref="IStockpileCache"/>, and <see cref="HybridCache"/> over it).</summary>
public static class StockpileCacheBuilderExtensions
{
    /// <summary>
    /// Registers a <see cref="StockpileCache"/> as <see cref="IStockpileCache"/>, and as <see cref="HybridCache"/> unless
    /// another HybridCache is registered.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the cache.</param>
    /// <returns>The builder.</returns>
    public static IStockpileBuilder AddCache(this IStockpileBuilder builder, Action<StockpileCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(sp =>
        {
            var options = new StockpileCacheOptions { TimeProvider = sp.GetService<TimeProvider>() };
            configure?.Invoke(options);
            return new StockpileCache(options);
        });
        builder.Services.TryAddSingleton<IStockpileCache>(static sp => sp.GetRequiredService<StockpileCache>());
        builder.Services.TryAddSingleton<HybridCache>(static sp => new StockpileHybridCache(
            sp.GetRequiredService<StockpileCache>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<StockpileHybridCache>() ?? NullLogger<StockpileHybridCache>.Instance));
        return builder;
    }
}
