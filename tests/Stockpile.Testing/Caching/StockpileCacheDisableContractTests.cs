namespace Stockpile.Testing.Caching;

/// <summary>Disable scopes (<see cref="StockpileCaching.Disable"/>) on the string cache, on every tier layout.</summary>
/// <param name="host">Where the caches under test live.</param>
public abstract class StockpileCacheDisableContractTests(IStockpileCacheHost host) : StockpileCacheContractFixture(host)
{
    [Test]
    public async Task GetAsync_InsideScope_MissesAndLeavesTheValue()
    {
        IStockpileCache cache = CreateCache(new StockpileCacheOptions());
        await cache.SetAsync("k", "cached");

        using (cache.Disable())
        {
            Assert.That(await cache.GetAsync<string>("k"), Is.Null);
            Assert.That(await cache.GetOrDefaultAsync("k", "default"), Is.EqualTo("default"));
            Assert.That(await cache.ContainsAsync("k"), Is.False);
        }

        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("cached"));
    }

    [Test]
    public async Task GetOrCreateAsync_InsideScope_RunsTheFactoryEveryTimeAndStoresNothing()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        await cache.SetAsync("cached", -1);
        var calls = 0;
        ValueTask<int> Factory(int state, CancellationToken _) => new(Interlocked.Increment(ref calls));

        using (cache.Disable())
        {
            Assert.That(await cache.GetOrCreateAsync("cached", 0, Factory), Is.EqualTo(1), "a cached value is not read");
            Assert.That(await cache.GetOrCreateAsync("new", 0, Factory), Is.EqualTo(2));
            Assert.That(await cache.GetOrCreateAsync("new", 0, Factory), Is.EqualTo(3), "nothing was stored by the first call");
        }

        Assert.That(await cache.ContainsAsync("new"), Is.False);
        Assert.That(await cache.GetAsync<int>("cached"), Is.EqualTo(-1), "get-or-create does not evict");
    }

    [Test]
    public async Task GetOrCreateManyAsync_InsideScope_AsksTheFactoryForEveryKeyAndStoresNothing()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        await cache.SetAsync("a", "cached a");
        var asked = new List<IReadOnlyList<string>>();

        using (cache.Disable())
        {
            var values = await cache.GetOrCreateManyAsync<string>(["a", "b"], (keys, _) =>
            {
                asked.Add(keys);
                return new ValueTask<IReadOnlyDictionary<string, string>>(keys.ToDictionary(k => k, k => $"made {k}"));
            });

            Assert.That(values, Is.EqualTo(new Dictionary<string, string> { ["a"] = "made a", ["b"] = "made b" }));
        }

        Assert.That(asked.Single(), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(await cache.GetAsync<string>("a"), Is.EqualTo("cached a"));
        Assert.That(await cache.ContainsAsync("b"), Is.False);
    }

    [Test]
    public async Task SetAsync_InsideScope_EvictsInsteadOfStoring()
    {
        var cache = CreateCache(new StockpileCacheOptions());
        await cache.SetAsync("k", "old");

        using (cache.Disable())
        {
            await cache.SetAsync("k", "new");
            Assert.That(await cache.AddAsync("added", "x"), Is.False, "an add stores nothing and says so");
        }

        Assert.That(await cache.ContainsAsync("k"), Is.False, "the old value is evicted, the new one not stored");
        Assert.That(await cache.ContainsAsync("added"), Is.False);
    }
}
