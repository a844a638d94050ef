using StackExchange.Redis;
using Stockpile.Internal.Caching;

namespace Stockpile.Redis.Caching;

/// <summary>Builds a <see cref="StockpileCache"/> on Redis: alone, or with the process memory above it.</summary>
internal static class RedisCacheFactory
{
    /// <exception cref="ArgumentException">A prefix holds a brace.</exception>
    public static StockpileCache Create(StockpileCacheOptions options, Func<CancellationToken, ValueTask<IDatabase>> database, string storePrefix, RedisCacheLayout layout) =>
        new(options, (clock, serializer, o) =>
        {
            var redis = new RedisCacheTier(database, storePrefix, o.KeyPrefix, clock, serializer);
            return layout == RedisCacheLayout.MemoryThenRedis ? new LayeredCacheTier(new MemoryCacheTier(clock), redis) : redis;
        });
}
