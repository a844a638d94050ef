using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Caching;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 10, the cache tier's batch reads: every entry is one Redis string (a header, then the value's bytes), so a
/// batch is one <c>MGET</c> (one per slot on a cluster); an entry left in the former hash layout is a miss that the
/// next write replaces.
/// </summary>
/// <param name="cluster">Whether to run against the cluster.</param>
[TestFixture(false, TestName = "Issue10CacheStringLayoutTests(server)")]
[TestFixture(true, TestName = "Issue10CacheStringLayoutTests(cluster)")]
public sealed class Issue10CacheStringLayoutTests(bool cluster) : RedisCacheFixture
{
    private protected override RedisCacheLayout Layout => RedisCacheLayout.RedisOnly;

    private protected override bool RunsOnCluster => cluster;

    private RedisKey KeyOf(string key) => $"{_redis.StorePrefix}#cache:cache:{{{key}}}";

    [Test]
    public async Task SetAsync_ValuesWithExpiryTagsOrNeither_AreOneStringEach_ReadBackInOneBatch()
    {
        var cache = _redis.Create(new StockpileCacheOptions());
        await cache.SetAsync("plain", "one");
        await cache.SetAsync("timed", "two", new StockpileCacheEntryOptions { Expiration = TimeSpan.FromMinutes(5) });
        await cache.SetAsync("tagged", "three", new StockpileCacheEntryOptions { Tags = ["t:1", "other tag"] });
        await cache.IncrementAsync("counter", 7);

        foreach (var key in new[] { "plain", "timed", "tagged", "counter" })
        {
            Assert.That(await Database.KeyTypeAsync(KeyOf(key)), Is.EqualTo(RedisType.String), key);
        }

        Assert.That(await Database.KeyTimeToLiveAsync(KeyOf("timed")), Is.Not.Null.And.GreaterThan(TimeSpan.FromMinutes(4)));
        var factoryCalls = 0;
        var values = await cache.GetOrCreateManyAsync<string>(["plain", "timed", "tagged"], (missing, _) =>
        {
            factoryCalls++;
            return new(missing.ToDictionary(k => k, k => "made " + k));
        });

        Assert.That(factoryCalls, Is.Zero);
        Assert.That(values, Is.EquivalentTo(new Dictionary<string, string> { ["plain"] = "one", ["timed"] = "two", ["tagged"] = "three" }));
        Assert.That(await cache.GetAsync<long>("counter"), Is.EqualTo(7));
        await cache.RemoveByTagAsync("other tag");
        Assert.That(await cache.GetAsync<string>("tagged"), Is.Null);
    }

    [Test]
    public async Task IncrementAsync_NearTheLargestLong_IsExact()
    {
        var cache = _redis.Create(new StockpileCacheOptions());
        await cache.SetAsync("big", long.MaxValue - 10, new StockpileCacheEntryOptions { Expiration = TimeSpan.FromMinutes(5) });

        Assert.That(await cache.IncrementAsync("big", 9), Is.EqualTo(long.MaxValue - 1));
        Assert.That(await cache.GetAsync<long>("big"), Is.EqualTo(long.MaxValue - 1));
        Assert.That(await Database.KeyTimeToLiveAsync(KeyOf("big")), Is.Not.Null, "the lifetime is kept");
    }

    [Test]
    public async Task IncrementAsync_PastTheLargestLong_ClearErrorNamingTheKey_ValueKept()
    {
        var cache = _redis.Create(new StockpileCacheOptions());
        await cache.SetAsync("full", long.MaxValue);

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.IncrementAsync("full"));

        Assert.That(error!.Message, Does.Contain("'full'").And.Contain("overflow"));
        Assert.That(await cache.GetAsync<long>("full"), Is.EqualTo(long.MaxValue));
    }

    [Test]
    public async Task EveryOperation_OnAnEntryInTheFormerHashLayout_TreatsItAsAMissAndOverwrites()
    {
        var cache = _redis.Create(new StockpileCacheOptions());
        async Task WriteOldAsync(string key) =>
            await Database.HashSetAsync(KeyOf(key), [new("h", "1"), new("v", "\"old\""), new("e", ""), new("t", "")]);
        foreach (var key in new[] { "get", "many", "add", "pull", "remove", "counter", "set" })
        {
            await WriteOldAsync(key);
        }

        Assert.That(await cache.GetAsync<string>("get"), Is.Null);
        var values = await cache.GetOrCreateManyAsync<string>(["many"], (missing, _) => new(missing.ToDictionary(k => k, _ => "new")));
        Assert.That(values["many"], Is.EqualTo("new"));
        Assert.That(await cache.AddAsync("add", "new"), Is.True);
        Assert.That(await cache.PullAsync<string>("pull"), Is.Null);
        Assert.That(await cache.RemoveAsync("remove"), Is.False);
        Assert.That(await cache.IncrementAsync("counter"), Is.EqualTo(1));
        await cache.SetAsync("set", "new");

        foreach (var key in new[] { "many", "add", "set" })
        {
            Assert.That(await cache.GetAsync<string>(key), Is.EqualTo("new"), key);
            Assert.That(await Database.KeyTypeAsync(KeyOf(key)), Is.EqualTo(RedisType.String), key);
        }

        Assert.That(await Database.KeyExistsAsync(KeyOf("remove")), Is.False);
    }
}
