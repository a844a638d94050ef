using Stockpile.Internal.Caching;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 12, benchmarks against the peers (item 3, a miss served from the database): a get-or-create on memory over a
/// shared tier (Redis) read the shared tier twice per miss, once for the caller and once more before making the value
/// (to catch a flight of this process that stored the key in between); every flight of this process stores into the
/// memory level as well. Now a caller that misses memory joins the key's flight at once, and the flight's read of the
/// shared tier is the only one: the shared tier is read once per miss, however many callers wait.
/// </summary>
[TestFixture]
public sealed class Issue12CacheMissRoundTripTests
{
    [Test]
    public async Task GetOrCreateAsync_MissOnMemoryOverSharedTier_ReadsTheSharedTierOnce()
    {
        var (cache, shared) = LayeredCache();

        Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("made"));
        Assert.That(shared.Reads, Is.EqualTo(1), "one shared read for the miss; none more before the factory");
        Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("again")), Is.EqualTo("made"));
        Assert.That(shared.Reads, Is.EqualTo(1), "the hit is answered by memory");
    }

    [Test]
    public async Task GetOrCreateAsync_MemoryOverSharedTierSecondCallerDuringTheSharedRead_JoinsTheFlight()
    {
        // A caller that misses memory joins the key's flight before the shared tier is read (issue 12, item 5): the
        // flight's one shared read serves both callers, and the factory runs once.
        var (cache, shared) = LayeredCache();
        var calls = 0;
        ValueTask<string> Factory(int _, CancellationToken __) => new($"made {Interlocked.Increment(ref calls)}");

        var (reached, release) = shared.HoldNextRead();
        var first = cache.GetOrCreateAsync("k", 0, Factory).AsTask();
        await reached.WaitAsync(TimeSpan.FromSeconds(10));
        var second = cache.GetOrCreateAsync("k", 0, Factory).AsTask();
        Assert.That(second.IsCompleted, Is.False, "the second caller waits on the flight whose shared read is held");
        release.SetResult();

        Assert.That(await first.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("made 1"));
        Assert.That(await second.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("made 1"));
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(shared.Reads, Is.EqualTo(1), "one shared read for both callers");
    }

    private static (StockpileCache Cache, HeldReadCacheTier Shared) LayeredCache()
    {
        HeldReadCacheTier shared = null!;
        var cache = new StockpileCache(new StockpileCacheOptions(), (clock, _, _) =>
            new LayeredCacheTier(new MemoryCacheTier(clock), shared = new HeldReadCacheTier(new MemoryCacheTier(clock))));
        return (cache, shared);
    }
}
