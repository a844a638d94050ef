using Microsoft.Extensions.Caching.Hybrid;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Caching;

[TestFixture]
public sealed class StockpileCachingTests
{
    [Test]
    public void Disable_Nested_StaysDisabledUntilTheOutermostIsDisposed()
    {
        Assert.That(StockpileCaching.IsDisabled, Is.False);
        var outer = StockpileCaching.Disable();
        var inner = StockpileCaching.Disable();

        inner.Dispose();
        inner.Dispose();
        Assert.That(StockpileCaching.IsDisabled, Is.True, "disposing the inner scope (twice) restores the outer one");

        outer.Dispose();
        Assert.That(StockpileCaching.IsDisabled, Is.False);
    }

    [Test]
    public async Task Disable_FlowsAcrossAwaitsAndIntoTasksStartedInside()
    {
        using (StockpileCaching.Disable())
        {
            await Task.Yield();
            var inTask = await Task.Run(async () =>
            {
                await Task.Yield();
                return StockpileCaching.IsDisabled;
            });

            Assert.That((StockpileCaching.IsDisabled, inTask), Is.EqualTo((true, true)));
        }

        Assert.That(StockpileCaching.IsDisabled, Is.False);
    }

    [Test]
    public async Task Disable_DoesNotReachAFlowStartedOutsideIt()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = Task.Run(async () =>
        {
            await gate.Task;
            return StockpileCaching.IsDisabled;
        });

        using (StockpileCaching.Disable())
        {
            gate.SetResult();
            Assert.That(await other, Is.False);
        }
    }

    [Test]
    public async Task Disable_OpenedInACalledAsyncMethod_DoesNotLeakToTheCaller()
    {
        static async Task<bool> OpenAndForgetAsync()
        {
            StockpileCaching.Disable();
            await Task.Yield();
            return StockpileCaching.IsDisabled;
        }

        Assert.That(await OpenAndForgetAsync(), Is.True);
        Assert.That(StockpileCaching.IsDisabled, Is.False);
    }

    [Test]
    public async Task GetAsync_InsideScope_MissesAndLeavesTheValue()
    {
        IStockpileCache cache = new StockpileCache();
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
        var cache = new StockpileCache();
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
        var cache = new StockpileCache();
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
        var cache = new StockpileCache();
        await cache.SetAsync("k", "old");

        using (cache.Disable())
        {
            await cache.SetAsync("k", "new");
            Assert.That(await cache.AddAsync("added", "x"), Is.False, "an add stores nothing and says so");
        }

        Assert.That(await cache.ContainsAsync("k"), Is.False, "the old value is evicted, the new one not stored");
        Assert.That(await cache.ContainsAsync("added"), Is.False);
    }

    [Test]
    public async Task HybridCache_InsideScope_RunsTheFactoryStoresNothingAndEvictsOnSet()
    {
        var cache = new StockpileCache();
        HybridCache hybrid = new StockpileHybridCache(cache, new ListLogger<StockpileHybridCache>());
        await hybrid.SetAsync("k", "cached");
        await hybrid.SetAsync("s", "old");

        using (StockpileCaching.Disable())
        {
            Assert.That(await hybrid.GetOrCreateAsync("k", _ => new ValueTask<string>("made")), Is.EqualTo("made"));
            Assert.That(await hybrid.GetOrCreateAsync("n", 7, static (s, _) => new ValueTask<int>(s)), Is.EqualTo(7));
            Assert.That(
                await hybrid.GetOrCreateAsync("k", _ => new ValueTask<string>("flagged"), new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheWrite }),
                Is.EqualTo("flagged"),
                "the flagged path reads nothing either");
            await hybrid.SetAsync("s", "new");
        }

        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("cached"));
        Assert.That(await cache.ContainsAsync("n"), Is.False);
        Assert.That(await cache.ContainsAsync("s"), Is.False);
    }
}
