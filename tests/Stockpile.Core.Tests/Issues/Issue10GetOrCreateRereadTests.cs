using Stockpile.Internal.Caching;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 10, stampede protection: a caller whose miss was read before another caller's flight stored the key, and who
/// reaches the flights after that flight ended, must take the stored value, not run the factory a second time.
/// </summary>
[TestFixture]
public sealed class Issue10GetOrCreateRereadTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task GetOrCreateAsync_MissReadBeforeAnotherFlightStored_DoesNotRunTheFactoryAgain()
    {
        HeldReadCacheTier tier = null!;
        var cache = new StockpileCache(new StockpileCacheOptions(), (clock, _, _) => tier = new HeldReadCacheTier(new MemoryCacheTier(clock)));

        var (late, first, calls) = await RereadRace.RunAsync(cache, tier);

        Assert.That(first, Is.EqualTo("made 1"));
        Assert.That(late, Is.EqualTo("made 1"));
        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public async Task GetOrCreateAsync_MissReadBeforeABatchStoredTheKey_TakesTheBatchValue()
    {
        HeldReadCacheTier tier = null!;
        var cache = new StockpileCache(new StockpileCacheOptions(), (clock, _, _) => tier = new HeldReadCacheTier(new MemoryCacheTier(clock)));
        var calls = 0;
        ValueTask<IReadOnlyDictionary<string, string>> Factory(IReadOnlyList<string> missing, CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            return new(missing.ToDictionary(static k => k, static k => k.ToUpperInvariant()));
        }

        var (reached, release) = tier.HoldNextRead();
        var late = cache.GetOrCreateAsync("k", 0, (_, ct) => new ValueTask<string>("single")).AsTask();
        await reached.WaitAsync(s_bound);
        Assert.That((await cache.GetOrCreateManyAsync<string>(["k"], Factory))["k"], Is.EqualTo("K"));
        release.SetResult();

        Assert.That(await late.WaitAsync(s_bound), Is.EqualTo("K"), "the single-key caller takes the value the batch stored");
        Assert.That(calls, Is.EqualTo(1));
    }
}
