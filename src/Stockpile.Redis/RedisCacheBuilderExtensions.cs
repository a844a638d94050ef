using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Internal;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <summary>
/// Puts the cache beside the entities (<see cref="IStockpileCache"/>, and <see cref="Microsoft.Extensions.Caching.Hybrid.HybridCache"/>
/// over it) on Redis, over the multiplexer the Redis store uses (<c>AddRedisStore</c> names it; without it, the
/// <see cref="IConnectionMultiplexer"/> registered in the container). Keys live under the store's
/// <see cref="KeyValueObjectStoreOptions.KeyPrefix"/>, then <c>#cache:</c> and the cache's own prefix.
/// </summary>
public static class RedisCacheBuilderExtensions
{
    /// <summary>Registers the default cache on Redis: by default the process memory over Redis, with a backplane between instances.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="layout">Memory over Redis, or Redis alone.</param>
    /// <param name="configure">Configures the cache.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The cache's <see cref="StockpileCacheOptions.KeyPrefix"/> is validated at start-up with the Redis options: it must hold no brace and no <c>#</c>.</remarks>
    public static IStockpileBuilder AddRedisCache(this IStockpileBuilder builder, RedisCacheLayout layout = RedisCacheLayout.MemoryThenRedis, Action<StockpileCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RedisStockpileBuilderExtensions.AddRedisLink(builder.Services, null);
        if (!builder.Services.Any(static d => d.ServiceType == typeof(StockpileCache) && !d.IsKeyedService))
        {
            builder.Services.AddSingleton<IValidateOptions<RedisStoreOptions>>(new RedisCachePrefixValidator(null, configure));
        }

        return builder.AddCache(configure, (sp, options) => Create(sp, options, layout));
    }

    /// <summary>Registers a named cache on Redis (see <see cref="StockpileCacheBuilderExtensions.AddCache(IStockpileBuilder, string, Action{StockpileCacheOptions}?)"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The cache's name, unique among named caches; its default key prefix.</param>
    /// <param name="layout">Memory over Redis, or Redis alone.</param>
    /// <param name="configure">Configures the cache.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A cache with that name is already registered.</exception>
    public static IStockpileBuilder AddRedisCache(this IStockpileBuilder builder, string name, RedisCacheLayout layout = RedisCacheLayout.MemoryThenRedis, Action<StockpileCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RedisStockpileBuilderExtensions.AddRedisLink(builder.Services, null);
        builder.AddCache(name, configure, (sp, options) => Create(sp, options, layout));
        builder.Services.AddSingleton<IValidateOptions<RedisStoreOptions>>(new RedisCachePrefixValidator(name, configure));
        return builder;
    }

    private static StockpileCache Create(IServiceProvider services, StockpileCacheOptions options, RedisCacheLayout layout)
    {
        var redis = RedisStockpileBuilderExtensions.Options(services);
        var loggers = services.GetService<ILoggerFactory>();
        return RedisCacheFactory.Create(
            options,
            services.GetRequiredService<RedisLink>(),
            ownsLink: false,
            redis.KeyPrefix,
            layout,
            redis.MissedKeyCapacity,
            redis.ThrowOnUnavailableWrites,
            out _,
            loggers?.CreateLogger<RedisCacheTier>(),
            loggers?.CreateLogger<RedisCacheBackplane>(),
            services.GetService<StockpileMetrics>(),
            services.GetRequiredService<RedisMetrics>());
    }
}
