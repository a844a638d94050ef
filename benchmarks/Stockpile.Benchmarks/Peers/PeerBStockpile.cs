using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// One Stockpile app instance as an application registers it: its own service provider, memory tier and Redis
/// connection (memory → Redis → EF Core on the shared SQLite file), the <c>SaveChanges</c> interceptor on its pooled
/// contexts, optionally the Redis backplane and a memory-over-Redis <see cref="IStockpileCache"/> (registering a cache also turns
/// on the interceptor's invalidation of cached queries: each commit then removes its tables' tags from the cache).
/// </summary>
internal sealed class PeerBStockpile : IAsyncDisposable
{
    private PeerBStockpile(ServiceProvider services)
    {
        Services = services;
        Chain = services.GetRequiredService<ChainedStore>();
        Contexts = services.GetRequiredService<IDbContextFactory<BenchDbContext>>();
    }

    public ServiceProvider Services { get; }

    public ChainedStore Chain { get; }

    public IDbContextFactory<BenchDbContext> Contexts { get; }

    public IStockpileCache Cache => Services.GetRequiredService<IStockpileCache>();

    /// <summary>Builds an instance; instances made with the same <paramref name="prefix"/> share Redis keys and the backplane channel.</summary>
    /// <remarks>
    /// <paramref name="counter"/> (a query counter, or save marks) runs after Stockpile's interceptors.
    /// <paramref name="evictInBackground"/> sets <see cref="StockpileOptions.EvictSharedTiersInBackground"/>.
    /// <paramref name="loggers"/>, when given, is the instance's <see cref="ILoggerFactory"/>.
    /// </remarks>
    public static PeerBStockpile Create(PeerBServers servers, string prefix, StockpileCommitPolicy policy, bool backplane, bool cache, Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor? counter = null, bool evictInBackground = false, ILoggerFactory? loggers = null)
    {
        var services = new ServiceCollection();
        if (loggers is not null)
        {
            services.AddSingleton(loggers);
        }

        services.Configure<StockpileOptions>(o => o.EvictSharedTiersInBackground = evictInBackground);
        services.AddPooledDbContextFactory<BenchDbContext>((sp, o) =>
        {
            o.UseSqlite(servers.Database.ConnectionString).AddStockpileInterceptor(sp);
            if (counter is not null)
            {
                o.AddInterceptors(counter);
            }
        });
        var stockpile = services.AddStockpile()
            .AddMemoryStore(o => o.DefaultLifetime = TimeSpan.FromHours(1))
            .AddRedisStore(o =>
            {
                o.Configuration = servers.Redis.ConnectionString;
                o.KeyPrefix = prefix;
                o.DefaultLifetime = TimeSpan.FromHours(1);
            });
        if (backplane)
        {
            stockpile.AddRedisBackplane();
        }

        stockpile.AddEfCoreStore<BenchDbContext>(configureInterceptor: o => o.DefaultPolicy = policy);
        if (cache)
        {
            stockpile.AddRedisCache(configure: o =>
            {
                o.KeyPrefix = prefix + "cache";
                o.DefaultExpiration = TimeSpan.FromHours(1);
            });
        }

        return new PeerBStockpile(services.BuildServiceProvider());
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
