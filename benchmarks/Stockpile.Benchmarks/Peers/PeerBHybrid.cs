using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// The default HybridCache 10.11.0 with Redis as its second level (<c>AddStackExchangeRedisCache</c>), registered as
/// its docs show; it has no backplane, so another instance's memory keeps its copy until its local expiration.
/// The one set-up of every peer benchmark (<see cref="PeerSetup"/> too).
/// </summary>
internal static class PeerBHybrid
{
    public static ServiceProvider Create(PeerBServers servers, string name) =>
        Create(servers.Redis.ConnectionString, name, TimeSpan.FromHours(1), memory: null);

    /// <summary>Registers an instance over the Redis that <paramref name="redis"/> names (its database too); get it as <see cref="HybridCache"/>.</summary>
    /// <param name="redis">A StackExchange.Redis configuration string.</param>
    /// <param name="name">The instance name; its Redis keys start with it and a colon.</param>
    /// <param name="lifetime">Every entry's lifetime, local and distributed.</param>
    /// <param name="memory">The memory level to use, so that a benchmark can empty it; <see langword="null"/> for the one <c>AddHybridCache</c> adds.</param>
    public static ServiceProvider Create(string redis, string name, TimeSpan lifetime, IMemoryCache? memory)
    {
        var services = new ServiceCollection();
        if (memory is not null)
        {
            services.AddSingleton(memory);
        }

        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = redis;
            o.InstanceName = name + ":";
        });
        services.AddHybridCache(o => o.DefaultEntryOptions = new HybridCacheEntryOptions { Expiration = lifetime, LocalCacheExpiration = lifetime });
        return services.BuildServiceProvider();
    }
}
