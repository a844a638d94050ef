using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Caching;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, torture case 3 (a cluster node killed and restarted): a tag's version lives in Redis, and a master that
/// comes back empty (or an eviction policy that drops the key) loses it. Versions counted from 0 then repeat, and a value
/// stamped with an old version matches again: a cached query result older than the commits since was served on both
/// instances (seed 747672). A tag's versions never repeat now: a tag is born at the server's time in microseconds, and
/// a removal moves it to at least the server's time.
/// </summary>
/// <param name="cluster">Whether to run against the cluster.</param>
[TestFixture(false, TestName = "Issue12TagVersionLossTests(server)")]
[TestFixture(true, TestName = "Issue12TagVersionLossTests(cluster)")]
public sealed class Issue12TagVersionLossTests(bool cluster) : RedisCacheFixture
{
    private protected override RedisCacheLayout Layout => RedisCacheLayout.RedisOnly;

    private protected override bool RunsOnCluster => cluster;

    private RedisKey TagKeyOf(string tag)
    {
        var space = $"{_redis.StorePrefix}#cache:cache:";
        return $"{space}#tags:{{{space}}}:{tag}";
    }

    [Test]
    public async Task GetOrCreateAsync_TagVersionLostAfterARemoval_OldValueNeverMatchesAgain()
    {
        var cache = _redis.Create(new StockpileCacheOptions());
        var tagged = new StockpileCacheEntryOptions { Tags = ["orders"] };
        Assert.That(await cache.GetOrCreateAsync("report", "old", Made, tagged), Is.EqualTo("old"));

        await cache.RemoveByTagAsync("orders");
        Assert.That(await Database.KeyDeleteAsync(TagKeyOf("orders")), Is.True, "the node that held the tag came back empty");

        Assert.That(await cache.GetOrCreateAsync("report", "new", Made, tagged), Is.EqualTo("new"));
    }

    [Test]
    public async Task GetOrCreateAsync_TagLostAndRemovedAgainAsOftenAsBefore_OldValueNeverMatchesAgain()
    {
        var cache = _redis.Create(new StockpileCacheOptions());
        var tagged = new StockpileCacheEntryOptions { Tags = ["stock"] };
        await cache.RemoveByTagAsync("stock");
        await cache.RemoveByTagAsync("stock");
        Assert.That(await cache.GetOrCreateAsync("level", "stamped after two removals", Made, tagged), Is.EqualTo("stamped after two removals"));
        await cache.RemoveByTagAsync("stock");

        // The tag is lost, then removed twice again: counted from zero, its version would be what the value holds.
        await Database.KeyDeleteAsync(TagKeyOf("stock"));
        await cache.RemoveByTagAsync("stock");
        await cache.RemoveByTagAsync("stock");

        Assert.That(await cache.GetOrCreateAsync("level", "made again", Made, tagged), Is.EqualTo("made again"));
    }

    private static ValueTask<string> Made(string value, CancellationToken cancellationToken) => new(value);

    [Test]
    public async Task RemoveByTagAsync_EachRemoval_MovesTheVersionForward()
    {
        var cache = _redis.Create(new StockpileCacheOptions());
        await cache.RemoveByTagAsync("moves");
        var first = (long)await Database.StringGetAsync(TagKeyOf("moves"));
        await cache.RemoveByTagAsync("moves");
        var second = (long)await Database.StringGetAsync(TagKeyOf("moves"));

        Assert.That(second, Is.GreaterThan(first));
    }
}
