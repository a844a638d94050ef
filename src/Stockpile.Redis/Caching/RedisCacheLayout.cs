namespace Stockpile.Redis.Caching;

/// <summary>Where a <see cref="StockpileCache"/> on Redis keeps its values.</summary>
public enum RedisCacheLayout
{
    /// <summary>The process memory first, Redis below it (read from memory, back-filled from Redis; written to both).</summary>
    MemoryThenRedis,

    /// <summary>Redis alone: every read and write is one Redis command.</summary>
    RedisOnly,
}
