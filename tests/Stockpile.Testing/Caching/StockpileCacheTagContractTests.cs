namespace Stockpile.Testing.Caching;

/// <summary>Generational tags, on every tier layout.</summary>
/// <param name="host">Where the caches under test live.</param>
public abstract class StockpileCacheTagContractTests(IStockpileCacheHost host) : StockpileCacheContractFixture(host)
{
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

    [Test]
    public async Task GetOrCreateAsync_TagRemovedWhileTheFactoryRuns_ValueIsNotServedAfterwards()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var options = new StockpileCacheEntryOptions { Tags = ["t"] };

        // The factory reads the data, then a writer commits and removes the tag before the value is stored.
        var first = await cache.GetOrCreateAsync("k", cache, async (c, ct) =>
        {
            await c.RemoveByTagAsync("t", ct);
            return "computed before the removal";
        }, options);
        var second = await cache.GetOrCreateAsync("k", 0, (_, _) => new ValueTask<string>("computed after"), options);

        Assert.That(first, Is.EqualTo("computed before the removal"), "the caller that ran the factory gets its value");
        Assert.That(second, Is.EqualTo("computed after"), "a value made before the tag's removal was stored under the new version");
    }

    [Test]
    public async Task GetOrCreateManyAsync_TagRemovedWhileTheFactoryRuns_ValuesAreNotServedAfterwards()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        var options = new StockpileCacheEntryOptions { Tags = ["t"] };

        await cache.GetOrCreateManyAsync<string>(["a", "b"], async (missing, ct) =>
        {
            await cache.RemoveByTagAsync("t", ct);
            return (IReadOnlyDictionary<string, string>)missing.ToDictionary(k => k, k => "old " + k);
        }, options);
        var second = await cache.GetOrCreateManyAsync<string>(["a", "b"], (missing, _) =>
            new ValueTask<IReadOnlyDictionary<string, string>>(missing.ToDictionary(k => k, k => "new " + k)), options);

        Assert.That(second["a"], Is.EqualTo("new a"));
        Assert.That(second["b"], Is.EqualTo("new b"));
    }
}
