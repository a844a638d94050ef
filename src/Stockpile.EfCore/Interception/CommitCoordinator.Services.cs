using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Stockpile.Internal;

internal sealed partial class CommitCoordinator
{
    /// <summary>Makes the coordinator of a container: its chain, interceptor options, tokens, query caches and outbox.</summary>
    public static CommitCoordinator FromServices(IServiceProvider services)
    {
        var options = services.GetService<Microsoft.Extensions.Options.IOptions<StockpileInterceptorOptions>>()?.Value ?? new StockpileInterceptorOptions();
        var metrics = services.GetService<StockpileMetrics>();
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("Stockpile.EfCore");
        var coordinator = new CommitCoordinator(services.GetRequiredService<ChainedStore>, options, logger, metrics)
        {
            ResolveTokens = services.GetService<IStockpileKeyBuilder>,
            Outbox = services.GetService<OutboxRegistry>(),
        };
        coordinator.Queries = new QueryCaching(
            name => name is null ? services.GetService<StockpileCache>() ?? options.QueryCache : services.GetKeyedService<StockpileCache>(name),
            () => services.GetService<IStockpileCacheProvider>()?.Names ?? []);
        return coordinator;
    }
}
