using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// The default HybridCache 10.11.0 with Redis as its second level (<c>AddStackExchangeRedisCache</c>), registered as
/// its docs show; it has no backplane, so another instance's memory keeps its copy until its local expiration.
/// </summary>
internal static class PeerBHybrid
{
    public static ServiceProvider Create(PeerBServers servers, string name)
    {
        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = servers.Redis.ConnectionString;
            o.InstanceName = name + ":";
        });
        services.AddHybridCache(o => o.DefaultEntryOptions = new HybridCacheEntryOptions { Expiration = TimeSpan.FromHours(1), LocalCacheExpiration = TimeSpan.FromHours(1) });
        return services.BuildServiceProvider();
    }
}
