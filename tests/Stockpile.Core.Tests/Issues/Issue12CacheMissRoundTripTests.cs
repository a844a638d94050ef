using Stockpile.Internal.Caching;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 12, benchmarks against the peers (item 3, a miss served from the database): a get-or-create on memory over a
/// shared tier (Redis) read the shared tier twice per miss, once for the caller and once more before making the value
/// (to catch a flight of this process that stored the key in between); every flight of this process stores into the
/// memory level as well, so the second read needs only memory. The shared tier is read once per miss, and the stampede
/// protection that second read gives is kept.
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
    public async Task GetOrCreateAsync_MemoryOverSharedTierMissReadBeforeAnotherFlightStored_DoesNotRunTheFactoryAgain()
    {
        var (cache, shared) = LayeredCache();

        var (late, first, calls) = await RereadRace.RunAsync(cache, shared);

        Assert.That(first, Is.EqualTo("made 1"));
        Assert.That(late, Is.EqualTo("made 1"), "the held caller takes what the other flight stored in memory");
        Assert.That(calls, Is.EqualTo(1));
    }

    private static (StockpileCache Cache, HeldReadCacheTier Shared) LayeredCache()
    {
        HeldReadCacheTier shared = null!;
        var cache = new StockpileCache(new StockpileCacheOptions(), (clock, _, _) =>
            new LayeredCacheTier(new MemoryCacheTier(clock), shared = new HeldReadCacheTier(new MemoryCacheTier(clock))));
        return (cache, shared);
    }
}
