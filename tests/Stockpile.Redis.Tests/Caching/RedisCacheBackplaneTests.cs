using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;

namespace Stockpile.Redis.Tests.Caching;

/// <summary>Two app instances (two service providers, each with its own multiplexer) sharing a named cache on memory over Redis.</summary>
[TestFixture]
public sealed class RedisCacheBackplaneTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task SetRemoveAndRemoveByTag_OnOneInstance_AreSeenByTheOthersMemoryLevel()
    {
        var prefix = TestStores.UniquePrefix();
        await using var first = Start(prefix);
        await using var second = Start(prefix);
        var (a, _) = await CacheOf(first);
        var (b, bBackplane) = await CacheOf(second);

        await a.SetAsync("k", "v1");
        Assert.That(await b.GetAsync<string>("k"), Is.EqualTo("v1"), "read from Redis, now in the second instance's memory");

        var evicted = Evicted(bBackplane, "k");
        await a.SetAsync("k", "v2");
        await evicted.WaitAsync(s_bound);
        Assert.That(await b.GetAsync<string>("k"), Is.EqualTo("v2"), "a set on one instance evicts the other's memory");

        evicted = Evicted(bBackplane, "k");
        Assert.That(await a.RemoveAsync("k"), Is.True);
        await evicted.WaitAsync(s_bound);
        Assert.That(await b.GetAsync<string>("k"), Is.Null, "a remove on one instance evicts the other's memory");

        await a.SetAsync("tagged", "t", new StockpileCacheEntryOptions { Tags = ["tenant:1"] });
        Assert.That(await b.GetAsync<string>("tagged"), Is.EqualTo("t"));
        await a.RemoveByTagAsync("tenant:1");
        Assert.That(await b.GetAsync<string>("tagged"), Is.Null, "tag versions are read from Redis, so a removed tag reaches the other's memory at once");
    }

    [Test]
    public async Task HybridCache_SetRemoveAndRemoveByTag_OnOneInstance_EvictTheOthersMemoryLevel()
    {
        var prefix = TestStores.UniquePrefix();
        await using var first = Start(prefix);
        await using var second = Start(prefix);
        var a = first.GetRequiredKeyedService<HybridCache>("shop");
        var b = second.GetRequiredKeyedService<HybridCache>("shop");
        var (bCache, bBackplane) = await CacheOf(second);
        await CacheOf(first);
        var memory = ((LayeredCacheTier)bCache.Tier).Memory;
        static ValueTask<string> MadeByB(CancellationToken _) => new("made by B");

        var evicted = Evicted(bBackplane, "k");
        await a.SetAsync("k", "v1", tags: ["tenant:1"]);
        await evicted.WaitAsync(s_bound); // A's first set is announced too: let it arrive before B fills its memory
        Assert.That(await b.GetOrCreateAsync("k", MadeByB), Is.EqualTo("v1"), "read from Redis, now in B's memory");
        Assert.That(await memory.GetAsync("k", default), Is.Not.Null);

        evicted = Evicted(bBackplane, "k");
        await a.SetAsync("k", "v2", tags: ["tenant:1"]);
        await evicted.WaitAsync(s_bound);
        Assert.That(await memory.GetAsync("k", default), Is.Null, "A's set evicted B's memory");
        Assert.That(await b.GetOrCreateAsync("k", MadeByB), Is.EqualTo("v2"));

        await a.RemoveByTagAsync("tenant:1");
        Assert.That(await b.GetOrCreateAsync("k", MadeByB), Is.EqualTo("made by B"), "a removed tag reaches B's memory hit");

        evicted = Evicted(bBackplane, "k");
        await a.RemoveAsync("k");
        await evicted.WaitAsync(s_bound);
        Assert.That(await memory.GetAsync("k", default), Is.Null, "A's remove evicted B's memory");
        Assert.That(await b.GetOrCreateAsync("k", static _ => new ValueTask<string>("made again")), Is.EqualTo("made again"));
    }

    private static ServiceProvider Start(string prefix)
    {
        var services = new ServiceCollection();
        services.AddStockpile()
            .AddRedisStore(o =>
            {
                o.Configuration = RedisTestEnvironment.ConnectionString;
                o.KeyPrefix = prefix;
            })
            .AddRedisCache("shop");
        return services.BuildServiceProvider();
    }

    private static async Task<(StockpileCache Cache, RedisCacheBackplane Backplane)> CacheOf(IServiceProvider services)
    {
        var cache = services.GetRequiredKeyedService<StockpileCache>("shop");
        var backplane = (RedisCacheBackplane)((LayeredCacheTier)cache.Tier).Evictions!;
        await backplane.Subscribed.WaitAsync(s_bound);
        return (cache, backplane);
    }

    /// <summary>Completes when <paramref name="backplane"/> applied another instance's message about <paramref name="key"/>.</summary>
    internal static Task Evicted(RedisCacheBackplane backplane, string key)
    {
        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        backplane.Evicted += k =>
        {
            if (k == key)
            {
                evicted.TrySetResult();
            }
        };
        return evicted.Task;
    }
}
