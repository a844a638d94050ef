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
