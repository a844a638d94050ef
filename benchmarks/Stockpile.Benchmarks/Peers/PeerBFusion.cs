using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// One FusionCache 2.9.0 instance as its docs set one up for several nodes: its own memory cache, Redis as the
/// distributed level (<c>Microsoft.Extensions.Caching.StackExchangeRedis</c>, the System.Text.Json serializer) and the
/// StackExchange.Redis backplane, each with its own connection. Instances with the same name share keys and channel.
/// </summary>
internal static class PeerBFusion
{
    public static FusionCache Create(PeerBServers servers, string name, bool backplane = true)
    {
        var fusion = new FusionCache(new FusionCacheOptions
        {
            CacheName = name,
            DefaultEntryOptions = new FusionCacheEntryOptions { Duration = TimeSpan.FromHours(1) },
        });
        fusion.SetupDistributedCache(
            new RedisCache(new RedisCacheOptions { Configuration = servers.Redis.ConnectionString, InstanceName = name + ":" }),
            new FusionCacheSystemTextJsonSerializer());
        if (backplane)
        {
            fusion.SetupBackplane(new RedisBackplane(Options.Create(new RedisBackplaneOptions { Configuration = servers.Redis.ConnectionString })));
        }

        return fusion;
    }
}
