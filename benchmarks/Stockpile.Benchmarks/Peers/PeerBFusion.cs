using Microsoft.Extensions.Caching.Memory;
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
/// The one set-up of every peer benchmark (<see cref="PeerSetup"/> too).
/// </summary>
internal static class PeerBFusion
{
    /// <remarks><paramref name="syncEvents"/>: runs event handlers on the thread that raises the event (a breakdown's timestamps).</remarks>
    public static FusionCache Create(PeerBServers servers, string name, bool backplane = true, bool syncEvents = false) =>
        Create(servers.Redis.ConnectionString, name, TimeSpan.FromHours(1), memory: null, backplane, syncEvents);

    /// <summary>Creates an instance over the Redis that <paramref name="redis"/> names (its database too, for the distributed level).</summary>
    /// <param name="redis">A StackExchange.Redis configuration string.</param>
    /// <param name="name">The cache's name; its distributed keys start with it and a colon.</param>
    /// <param name="lifetime">Every entry's lifetime.</param>
    /// <param name="memory">The memory level to use, so that a benchmark can empty it; <see langword="null"/> for FusionCache's own.</param>
    /// <param name="backplane">Whether to set up the backplane.</param>
    /// <param name="syncEvents">Whether event handlers run on the thread that raises the event (FusionCache runs them in the background by default).</param>
    public static FusionCache Create(string redis, string name, TimeSpan lifetime, MemoryCache? memory, bool backplane = true, bool syncEvents = false)
    {
        var fusion = new FusionCache(
            new FusionCacheOptions
            {
                CacheName = name,
                DefaultEntryOptions = new FusionCacheEntryOptions { Duration = lifetime },
                EnableSyncEventHandlersExecution = syncEvents,
            },
            memory);
        fusion.SetupDistributedCache(
            new RedisCache(new RedisCacheOptions { Configuration = redis, InstanceName = name + ":" }),
            new FusionCacheSystemTextJsonSerializer());
        if (backplane)
        {
            fusion.SetupBackplane(new RedisBackplane(Options.Create(new RedisBackplaneOptions { Configuration = redis })));
        }

        return fusion;
    }
}
