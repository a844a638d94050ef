using Stockpile.Redis.Caching;
using Stockpile.Testing.Caching;

namespace Stockpile.Redis.Tests.Caching;

/// <summary>Generational tags on Redis: memory over Redis and Redis alone, on a server and on the three-master cluster.</summary>
/// <param name="layout">Where the cache keeps its values.</param>
/// <param name="cluster">Whether to run against the cluster.</param>
[TestFixtureSource(typeof(RedisCacheConnection), nameof(RedisCacheConnection.Layouts))]
public sealed class RedisStockpileCacheTagTests(RedisCacheLayout layout, bool cluster) : StockpileCacheTagContractTests(new RedisCacheConnection(layout, cluster));
