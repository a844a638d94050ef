using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stockpile.Redis.Backplane;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.Backplane;

/// <summary>
/// One "app instance": its own service provider with memory → Redis → a bottom tier, and the Redis backplane, as an
/// application would register them. Several share one Redis (and one bottom tier or database).
/// </summary>
internal sealed class AppInstance : IAsyncDisposable
{
    private AppInstance(ServiceProvider services, CapturingLoggerProvider logs)
    {
        Services = services;
        Logs = logs;
        Chain = services.GetRequiredService<ChainedStore>();
        Memory = services.GetRequiredService<MemoryStore>();
        Redis = services.GetRequiredService<RedisStore>();
        Backplane = (RedisBackplane)services.GetRequiredService<IStockpileBackplane>();
    }

    public ServiceProvider Services { get; }

    public CapturingLoggerProvider Logs { get; }

    public ChainedStore Chain { get; }

    public MemoryStore Memory { get; }

    public RedisStore Redis { get; }

    public RedisBackplane Backplane { get; }

    public static async Task<AppInstance> StartAsync(string redis, string prefix, Action<IStockpileBuilder> addBottom, Action<IServiceCollection>? configure = null, Action<RedisStoreOptions>? configureRedis = null)
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        configure?.Invoke(services);
        var builder = services.AddStockpile()
            .AddMemoryStore()
            .AddRedisStore(o =>
            {
                o.Configuration = redis;
                o.KeyPrefix = prefix;
                configureRedis?.Invoke(o);
            })
            .AddRedisBackplane();
        addBottom(builder);
        var instance = new AppInstance(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), logs);
        await instance.Backplane.Subscribed;
        return instance;
    }

    public int Count(string eventName) => Logs.Entries.Count(e => e.EventId.Name == eventName);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Logs.Dispose();
    }
}
