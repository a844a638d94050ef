using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Internal;
using Stockpile.Internal.Caching;

namespace Stockpile.Redis.Caching;

/// <summary>Builds a <see cref="StockpileCache"/> on Redis: alone, or with the process memory above it and a backplane between instances.</summary>
internal static class RedisCacheFactory
{
    /// <summary>Creates a cache; <paramref name="backplane"/> is the memory level's backplane (<see langword="null"/> for Redis alone).</summary>
    /// <exception cref="ArgumentException">A prefix holds a brace.</exception>
    public static StockpileCache Create(StockpileCacheOptions options, Func<CancellationToken, ValueTask<IConnectionMultiplexer>> connect, string storePrefix, RedisCacheLayout layout, out RedisCacheBackplane? backplane, ILogger? logger = null, StockpileMetrics? metrics = null)
    {
        RedisCacheBackplane? made = null;
        var cache = new StockpileCache(options, (clock, serializer, o) =>
        {
            var redis = new RedisCacheTier(async ct => (await connect(ct).ConfigureAwait(false)).GetDatabase(), storePrefix, o.KeyPrefix, clock, serializer);
            if (layout == RedisCacheLayout.RedisOnly)
            {
                return redis;
            }

            var memory = new MemoryCacheTier(clock);
            made = new RedisCacheBackplane(connect, storePrefix + "__cache:" + o.KeyPrefix, memory, logger ?? NullLogger.Instance);
            return new LayeredCacheTier(memory, redis, made, logger, metrics, "cache:" + o.KeyPrefix);
        });
        backplane = made;
        return cache;
    }
}
