using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Internal;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <summary>Builds a <see cref="StockpileCache"/> on Redis: alone, or with the process memory above it and a backplane between instances.</summary>
internal static class RedisCacheFactory
{
    /// <summary>
    /// Creates a cache over a multiplexer of its own breaker (default <see cref="RedisCircuitBreakerOptions"/>), for
    /// tests and benchmarks; <paramref name="backplane"/> is the memory level's backplane (<see langword="null"/> for Redis alone).
    /// </summary>
    /// <exception cref="ArgumentException">A prefix holds a brace.</exception>
    public static StockpileCache Create(StockpileCacheOptions options, Func<CancellationToken, ValueTask<IConnectionMultiplexer>> connect, string storePrefix, RedisCacheLayout layout, out RedisCacheBackplane? backplane, ILogger? logger = null, StockpileMetrics? metrics = null, Func<IConnectionMultiplexer, IDatabase>? database = null)
    {
        var link = new RedisLink(connect(CancellationToken.None).AsTask(), ownsMultiplexer: false, "cache", new RedisCircuitBreakerOptions(), TimeProvider.System, logger ?? NullLogger.Instance, RedisMetrics.Shared, database);
        var defaults = new RedisStoreOptions();
        return Create(options, link, ownsLink: true, storePrefix, layout, defaults.MissedKeyCapacity, defaults.ThrowOnUnavailableWrites, out backplane, logger, logger, metrics, RedisMetrics.Shared);
    }

    /// <summary>Creates a cache over <paramref name="link"/> (the Redis store's, in a container): its calls share the store's breaker.</summary>
    /// <exception cref="ArgumentException">A prefix holds a brace.</exception>
    public static StockpileCache Create(StockpileCacheOptions options, RedisLink link, bool ownsLink, string storePrefix, RedisCacheLayout layout, int missedKeyCapacity, bool throwOnUnavailableWrites, out RedisCacheBackplane? backplane, ILogger? tierLogger, ILogger? backplaneLogger, StockpileMetrics? metrics, RedisMetrics redisMetrics)
    {
        RedisCacheBackplane? made = null;
        var cache = new StockpileCache(options, (clock, serializer, o) =>
        {
            var redis = new RedisCacheTier(link, ownsLink, storePrefix, o.KeyPrefix, clock, serializer, missedKeyCapacity, throwOnUnavailableWrites, tierLogger ?? NullLogger.Instance, metrics ?? StockpileMetrics.Shared, redisMetrics);
            if (layout == RedisCacheLayout.RedisOnly)
            {
                return redis;
            }

            var memory = new MemoryCacheTier(clock);
            made = new RedisCacheBackplane(link, redis.PublishAsync, storePrefix + "__cache:" + o.KeyPrefix, memory, backplaneLogger ?? NullLogger.Instance);
            return new LayeredCacheTier(memory, redis, made, backplaneLogger, metrics, "cache:" + o.KeyPrefix);
        });
        backplane = made;
        return cache;
    }
}
