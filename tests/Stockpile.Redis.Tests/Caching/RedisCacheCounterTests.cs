using Stockpile.Redis.Caching;

namespace Stockpile.Redis.Tests.Caching;

/// <summary>Counters shared by two processes, played by two multiplexers each with its own cache (and its own memory level).</summary>
/// <param name="cluster">Whether to run against the cluster.</param>
[TestFixture(false)]
[TestFixture(true)]
public sealed class RedisCacheCounterTests(bool cluster) : RedisCacheFixture
{
    private protected override RedisCacheLayout Layout => RedisCacheLayout.MemoryThenRedis;

    private protected override bool RunsOnCluster => cluster;

    [Test]
    public async Task IncrementAsync_100ParallelFromTwoMultiplexers_LoseNothing()
    {
        await using var otherProcess = await RedisTestEnvironment.ConnectAsync(cluster);
        var first = _redis.Create(new StockpileCacheOptions());
        var second = _redis.Create(new StockpileCacheOptions(), otherProcess);

        var increments = Enumerable.Range(0, 100)
            .Select(i => Task.Run(async () => await (i % 2 == 0 ? first : second).IncrementAsync("hits")));
        var values = await Task.WhenAll(increments);

        Assert.That(values, Is.Unique, "each increment saw its own value");
        Assert.That(await first.GetAsync<long>("hits"), Is.EqualTo(100));
        Assert.That(await second.GetAsync<long>("hits"), Is.EqualTo(100));
    }
}
