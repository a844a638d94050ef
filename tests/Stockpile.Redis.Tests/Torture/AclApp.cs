using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stockpile.Redis.Backplane;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// One application instance with every Redis feature registered as a user would: memory → Redis → a shared bottom
/// tier, the backplane, the cache on Redis (memory over Redis, with the distributed stampede lock) and the invalidation
/// tokens. Every log line of every category is captured, at every level.
/// </summary>
internal sealed class AclApp : IAsyncDisposable
{
    private AclApp(ServiceProvider services, CapturingLoggerProvider logs)
    {
        Services = services;
        Logs = logs;
        Chain = services.GetRequiredService<ChainedStore>();
        Memory = services.GetRequiredService<MemoryStore>();
        Redis = services.GetRequiredService<RedisStore>();
        Backplane = (RedisBackplane)services.GetRequiredService<IStockpileBackplane>();
        Cache = services.GetRequiredService<IStockpileCache>();
        Keys = services.GetRequiredService<IStockpileKeyBuilder>();
    }

    public ServiceProvider Services { get; }

    public CapturingLoggerProvider Logs { get; }

    public ChainedStore Chain { get; }

    public MemoryStore Memory { get; }

    public RedisStore Redis { get; }

    public RedisBackplane Backplane { get; }

    public IStockpileCache Cache { get; }

    public IStockpileKeyBuilder Keys { get; }

    /// <summary>Starts an instance; <paramref name="connect"/> names the server in the options (one of the three forms).</summary>
    public static AclApp Start(Action<RedisStoreOptions> connect, string prefix, FakeDatabase database)
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddStockpile()
            .AddMemoryStore()
            .AddRedisStore(o =>
            {
                connect(o);
                o.KeyPrefix = prefix;
            })
            .AddRedisBackplane()
            .AddTier(_ => database)
            .AddRedisCache(RedisCacheLayout.MemoryThenRedis, o => o.DistributedStampedeLock = true)
            .AddRedisInvalidationTokens();
        return new AclApp(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), logs);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Logs.Dispose();
    }
}
