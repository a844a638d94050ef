using Stockpile.Redis.Caching;
using Stockpile.Testing.Caching;

namespace Stockpile.Redis.Tests.Caching;

/// <summary>Reads through <see cref="IStockpileCache"/> on Redis: memory over Redis and Redis alone, on a server and on the three-master cluster.</summary>
/// <param name="layout">Where the cache keeps its values.</param>
/// <param name="cluster">Whether to run against the cluster.</param>
[TestFixture(RedisCacheLayout.MemoryThenRedis, false)]
[TestFixture(RedisCacheLayout.RedisOnly, false)]
[TestFixture(RedisCacheLayout.MemoryThenRedis, true)]
[TestFixture(RedisCacheLayout.RedisOnly, true)]
public sealed class RedisStockpileCacheInterfaceTests(RedisCacheLayout layout, bool cluster) : StockpileCacheInterfaceContractTests
{
    private readonly RedisCacheConnection _redis = new(layout, cluster);

    /// <inheritdoc/>
    protected override bool HasMemoryLevel => layout == RedisCacheLayout.MemoryThenRedis;

    [OneTimeSetUp]
    public Task ConnectAsync() => _redis.ConnectAsync();

    [OneTimeTearDown]
    public ValueTask DisconnectAsync() => _redis.DisposeAsync();

    /// <inheritdoc/>
    protected override StockpileCache CreateCache(StockpileCacheOptions options) => _redis.Create(options);
}
