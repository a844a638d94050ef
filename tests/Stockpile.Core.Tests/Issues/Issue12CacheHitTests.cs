using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stockpile.Internal.Caching;
using Stockpile.Testing.Caching;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 12, item 1 (a memory hit by string key, at most <c>MemoryCache.TryGetValue</c>'s time): a hit of
/// <see cref="StockpileCache.GetOrCreateAsync{TState, T}"/> and <see cref="StockpileCache.GetAsync{T}"/> now reads the
/// process memory level directly (the tier itself, or the memory level of memory over a shared tier) and hands out the
/// value without the tier's <see cref="ValueTask"/>, the answer's generic plumbing or the serializer's try/catch. What a
/// hit promises is unchanged, on both layouts: a flat mutable value is copied for every caller, an immutable one handed
/// out as stored without allocating, an expired or tag-removed value is a miss, another type is a clear error, a stored
/// <see langword="null"/> is a hit, and a hit over a shared tier never reads it. The sealed class, which spares a call
/// the interface's generic dispatch, is registered as the same cache as the interface.
/// </summary>
[TestFixture]
public sealed partial class Issue12CacheHitTests
{
    public enum Layout
    {
        Memory,
        MemoryOverShared,
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfAFlatMutableValue_EachCallerGetsItsOwnCopy([Values] Layout layout)
    {
        var (cache, _, _) = Create(layout);
        var stored = new StockpileCacheContractTests.Counter { Value = 1 };
        await cache.SetAsync("k", stored);

        var first = await cache.GetOrCreateAsync("k", 0, static (_, _) => ValueTask.FromException<StockpileCacheContractTests.Counter>(new AssertionException("the factory ran on a hit")));
        var second = await cache.GetOrCreateAsync("k", 0, static (_, _) => ValueTask.FromException<StockpileCacheContractTests.Counter>(new AssertionException("the factory ran on a hit")));
        first.Value = 2;

        Assert.That(first, Is.Not.SameAs(second).And.Not.SameAs(stored));
        Assert.That((await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<StockpileCacheContractTests.Counter>(new StockpileCacheContractTests.Counter())))!.Value, Is.EqualTo(1));
        Assert.That((await cache.GetAsync<StockpileCacheContractTests.Counter>("k"))!.Value, Is.EqualTo(1), "a reader changing its copy never changes the cache");
        Assert.That(await cache.GetAsync<StockpileCacheContractTests.Counter>("k"), Is.Not.SameAs(await cache.GetAsync<StockpileCacheContractTests.Counter>("k")));
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfADerivedFlatValueReadAsItsBase_IsCopiedWhole([Values] Layout layout)
    {
        var (cache, _, _) = Create(layout);
        await cache.SetAsync("k", new StockpileCacheContractTests.DetailedTally { Value = 3, Note = "own" });

        var read = await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<StockpileCacheContractTests.Tally>(new StockpileCacheContractTests.Tally()));

        Assert.That(read, Is.TypeOf<StockpileCacheContractTests.DetailedTally>());
        Assert.That(((StockpileCacheContractTests.DetailedTally)read).Note, Is.EqualTo("own"));
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfAnImmutableValue_IsTheStoredInstance_AndAllocatesNothing([Values] Layout layout)
    {
        var (cache, _, _) = Create(layout);
        var stored = new StockpileCacheContractTests.Frozen("x");
        await cache.SetAsync("k", stored);
        static ValueTask<StockpileCacheContractTests.Frozen> Unexpected(int state, CancellationToken cancellationToken) =>
            ValueTask.FromException<StockpileCacheContractTests.Frozen>(new AssertionException("the factory ran on a hit"));

        for (var i = 0; i < 200; i++)
        {
            _ = await cache.GetOrCreateAsync("k", 0, Unexpected);
            _ = await cache.GetAsync<StockpileCacheContractTests.Frozen>("k");
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            var hit = cache.GetOrCreateAsync("k", 0, Unexpected);
            var read = cache.GetAsync<StockpileCacheContractTests.Frozen>("k");
            if (!hit.IsCompletedSuccessfully || !ReferenceEquals(hit.Result, stored) || !read.IsCompletedSuccessfully || !ReferenceEquals(read.Result, stored))
            {
                Assert.Fail($"hit {i} did not answer synchronously with the stored instance");
            }
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "a hit of an immutable value allocates nothing");
    }

    [Test]
    public async Task GetOrCreateAsync_HitUntilTheExpiry_MissAtIt([Values] Layout layout)
    {
        var (cache, time, _) = Create(layout);
        await cache.SetAsync("k", new StockpileCacheContractTests.Counter { Value = 1 }, new StockpileCacheEntryOptions { Expiration = TimeSpan.FromSeconds(10) });

        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.That((await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<StockpileCacheContractTests.Counter>(new StockpileCacheContractTests.Counter { Value = 2 })))!.Value, Is.EqualTo(1));

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await cache.GetAsync<StockpileCacheContractTests.Counter>("k"), Is.Null, "expired at its deadline");
        Assert.That((await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<StockpileCacheContractTests.Counter>(new StockpileCacheContractTests.Counter { Value = 2 })))!.Value, Is.EqualTo(2));
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfAValueThatNeverExpires_ReadsNoClock_AnExpiringOneDoes([Values] Layout layout)
    {
        // A value stored forever has no deadline to check the clock against: its hit skips the read.
        var time = new CountingTimeProvider();
        var (cache, _, _) = Create(layout, time);
        await cache.SetForeverAsync("forever", "kept");
        await cache.SetAsync("expiring", "until later", new StockpileCacheEntryOptions { Expiration = TimeSpan.FromSeconds(10) });

        var before = time.Timestamps;
        Assert.That(await cache.GetOrCreateAsync("forever", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("kept"));
        Assert.That(await cache.GetAsync<string>("forever"), Is.EqualTo("kept"));
        Assert.That(time.Timestamps - before, Is.Zero, "a hit of a value that never expires reads no clock");

        Assert.That(await cache.GetAsync<string>("expiring"), Is.EqualTo("until later"));
        Assert.That(time.Timestamps - before, Is.EqualTo(1), "a hit of an expiring value reads the clock once");
        time.Advance(TimeSpan.FromDays(365));
        Assert.That(await cache.GetAsync<string>("forever"), Is.EqualTo("kept"));
        Assert.That(await cache.GetAsync<string>("expiring"), Is.Null);
    }

    [Test]
    public async Task GetOrCreateAsync_TaggedHitAfterItsTagIsRemoved_RunsTheFactory([Values] Layout layout)
    {
        var (cache, _, _) = Create(layout);
        await cache.SetAsync("k", "tagged", new StockpileCacheEntryOptions { Tags = ["t"] });
        Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("tagged"));
        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("tagged"));

        await cache.RemoveByTagAsync("t");

        Assert.That(await cache.GetAsync<string>("k"), Is.Null);
        Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("made"));
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfAnotherType_IsAClearErrorNamingKeyAndTypes([Values] Layout layout)
    {
        var (cache, _, _) = Create(layout);
        await cache.SetAsync("k", "text");

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<StockpileCacheContractTests.Counter>(new StockpileCacheContractTests.Counter())));
        var read = Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetAsync<StockpileCacheContractTests.Counter>("k"));

        Assert.That(error!.Message, Does.Contain("'k'").And.Contain("String").And.Contain("Counter"));
        Assert.That(read!.Message, Is.EqualTo(error.Message));
        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("text"), "the value stays");
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfAStoredNullOrValueType_IsAHit([Values] Layout layout)
    {
        var (cache, _, _) = Create(layout);
        await cache.SetAsync<string?>("null", null);
        await cache.SetAsync("number", 42);

        Assert.That(await cache.GetOrCreateAsync<int, string?>("null", 0, static (_, _) => new ValueTask<string?>("made")), Is.Null);
        Assert.That(await cache.GetOrCreateAsync("number", 0, static (_, _) => new ValueTask<int>(7)), Is.EqualTo(42));
    }

    [Test]
    public async Task GetOrCreateAsync_HitOverASharedTier_NeverReadsIt_AMemoryMissReadsItOnce()
    {
        var (cache, _, shared) = Create(Layout.MemoryOverShared);
        await cache.SetAsync("k", new StockpileCacheContractTests.Counter { Value = 1 });

        for (var i = 0; i < 3; i++)
        {
            Assert.That((await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<StockpileCacheContractTests.Counter>(new StockpileCacheContractTests.Counter { Value = 2 })))!.Value, Is.EqualTo(1));
            Assert.That((await cache.GetAsync<StockpileCacheContractTests.Counter>("k"))!.Value, Is.EqualTo(1));
        }

        Assert.That(shared!.Reads, Is.Zero, "memory answers every hit");
        ((LayeredCacheTier)cache.Tier).Memory.Clear();
        Assert.That((await cache.GetAsync<StockpileCacheContractTests.Counter>("k"))!.Value, Is.EqualTo(1));
        Assert.That((await cache.GetAsync<StockpileCacheContractTests.Counter>("k"))!.Value, Is.EqualTo(1));
        Assert.That(shared.Reads, Is.EqualTo(1), "the memory miss read the shared tier once and back-filled memory");
    }

    [Test]
    public async Task GetOrCreateAsync_HitInsideADisabledFlow_RunsTheFactory([Values] Layout layout)
    {
        var (cache, _, _) = Create(layout);
        await cache.SetAsync("k", "stored");

        using (cache.Disable())
        {
            Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("made"));
            Assert.That(await cache.GetAsync<string>("k"), Is.Null);
        }

        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("stored"));
    }

    [Test]
    public async Task AddCache_RegistersTheSealedClass_TheSameCacheAsTheInterface()
    {
        // The docs point hot code at the sealed class (no interface dispatch per call): it must be the same cache.
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddCache();
        await using var provider = services.BuildServiceProvider();

        var sealedCache = provider.GetRequiredService<StockpileCache>();
        await provider.GetRequiredService<IStockpileCache>().SetAsync("k", "through the interface");

        Assert.That(sealedCache, Is.SameAs(provider.GetRequiredService<IStockpileCache>()));
        Assert.That(await sealedCache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("through the interface"));
    }

    private static (StockpileCache Cache, FakeTimeProvider Time, HeldReadCacheTier? Shared) Create(Layout layout, FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider();
        var options = new StockpileCacheOptions { TimeProvider = time, DefaultExpiration = TimeSpan.FromMinutes(5) };
        if (layout == Layout.Memory)
        {
            return (new StockpileCache(options), time, null);
        }

        HeldReadCacheTier shared = null!;
        var cache = new StockpileCache(options, (clock, _, _) =>
            new LayeredCacheTier(new MemoryCacheTier(clock), shared = new HeldReadCacheTier(new MemoryCacheTier(clock))));
        return (cache, time, shared);
    }

    /// <summary>A fake clock that counts its timestamp reads (the cache's expiry checks, with a provider other than the system one).</summary>
    private sealed class CountingTimeProvider : FakeTimeProvider
    {
        private int _timestamps;

        public int Timestamps => Volatile.Read(ref _timestamps);

        public override long GetTimestamp()
        {
            Interlocked.Increment(ref _timestamps);
            return base.GetTimestamp();
        }
    }
}
