using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Redis.Tests.Tokens;

/// <summary>One application instance with its invalidation tokens on Redis: its own container and multiplexer.</summary>
internal sealed class RedisTokenApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private RedisTokenApp(ServiceProvider services)
    {
        _services = services;
        Keys = services.GetRequiredService<IStockpileKeyBuilder>();
        Cache = services.GetRequiredService<IStockpileCache>();
    }

    public IStockpileKeyBuilder Keys { get; }

    /// <summary>Gets the process-memory cache of this instance, which values are cached in under token keys.</summary>
    public IStockpileCache Cache { get; }

    public static RedisTokenApp Start(string redis, string prefix, Action<RedisStoreOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddStockpile()
            .AddMemoryStore()
            .AddRedisStore(o =>
            {
                o.Configuration = redis;
                o.KeyPrefix = prefix;
                configure?.Invoke(o);
            })
            .AddCache()
            .AddRedisInvalidationTokens();
        return new RedisTokenApp(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
