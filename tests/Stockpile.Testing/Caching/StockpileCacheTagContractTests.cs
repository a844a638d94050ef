namespace Stockpile.Testing.Caching;

/// <summary>Generational tags, on every tier layout.</summary>
public abstract class StockpileCacheTagContractTests
{
    /// <summary>Creates the cache under test; a fixture on a shared server keeps each test in a namespace of its own.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The cache.</returns>
    protected abstract StockpileCache CreateCache(StockpileCacheOptions options);

    [Test]
    public async Task RemoveByTagAsync_MakesEveryTaggedValueUnreachable_AnyOneTagSuffices()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        await cache.SetAsync("a", "A", new StockpileCacheEntryOptions { Tags = ["tenant:1"] });
        await cache.SetAsync("b", "B", new StockpileCacheEntryOptions { Tags = ["tenant:1", "products"] });
        await cache.SetAsync("c", "C", new StockpileCacheEntryOptions { Tags = ["products"] });
        await cache.SetForeverAsync("d", "D");

        await cache.RemoveByTagAsync("tenant:1");

        Assert.That(await cache.GetAsync<string>("a"), Is.Null);
        Assert.That(await cache.GetAsync<string>("b"), Is.Null);
        Assert.That(await cache.GetAsync<string>("c"), Is.EqualTo("C"));
        Assert.That(await cache.GetAsync<string>("d"), Is.EqualTo("D"));
        Assert.That(await cache.ContainsAsync("a"), Is.False);
    }

    [Test]
    public async Task SetAsync_AfterRemoveByTag_IsReachableAgain()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        await cache.SetAsync("a", "old", new StockpileCacheEntryOptions { Tags = ["t"] });
        await cache.RemoveByTagAsync("t");

        await cache.SetAsync("a", "new", new StockpileCacheEntryOptions { Tags = ["t"] });

        Assert.That(await cache.GetAsync<string>("a"), Is.EqualTo("new"));
    }

    [Test]
    public async Task GetOrCreateAsync_TaggedValueRemovedByTag_RunsTheFactoryAgain()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var calls = 0;
        var options = new StockpileCacheEntryOptions { Tags = ["t"] };
        ValueTask<int> Factory(CancellationToken _) => new(Interlocked.Increment(ref calls));

        Assert.That(await cache.GetOrCreateAsync("k", 0, (_, ct) => Factory(ct), options), Is.EqualTo(1));
        Assert.That(await cache.GetOrCreateAsync("k", 0, (_, ct) => Factory(ct), options), Is.EqualTo(1));
        await cache.RemoveByTagAsync("t");
        Assert.That(await cache.GetOrCreateAsync("k", 0, (_, ct) => Factory(ct), options), Is.EqualTo(2));
    }
}
