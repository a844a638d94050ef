using Stockpile.Internal.Caching;
using Stockpile.Testing.Caching;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 12, item 1, through <see cref="IStockpileCache"/>: the interface's hot core is the non-generic
/// <see cref="IStockpileCache.TryGetLocal"/>, and <see cref="StockpileCacheExtensions.GetAsync{T}"/> and
/// <see cref="StockpileCacheExtensions.GetOrCreateAsync{TState, T}"/> answer a memory hit through it, reaching the generic
/// core (a run-time dispatch of an interface's generic method) only when memory cannot answer. What a hit returns is
/// what it was before the reshaping (the contract suite <see cref="StockpileCacheInterfaceContractTests"/> pins that on
/// every layout).
/// </summary>
public sealed partial class Issue12CacheHitTests
{
    [Test]
    public async Task GetOrCreateAsync_HitThroughTheInterface_IsAnsweredByTryGetLocal_NeverByTheGenericCore([Values] Layout layout)
    {
        var (sealedCache, _, shared) = Create(layout);
        var cache = new LocalCountingCache(sealedCache);
        await cache.SetAsync("immutable", "text");
        await cache.SetAsync("mutable", new StockpileCacheContractTests.Counter { Value = 1 });
        await cache.SetForeverAsync("forever", 42);

        for (var i = 0; i < 3; i++)
        {
            Assert.That(await cache.GetOrCreateAsync("immutable", 0, Unexpected<string>), Is.EqualTo("text"));
            Assert.That(await cache.GetAsync<string>("immutable"), Is.EqualTo("text"));
            Assert.That((await cache.GetOrCreateAsync("mutable", 0, Unexpected<StockpileCacheContractTests.Counter>)).Value, Is.EqualTo(1));
            Assert.That(await cache.GetAsync<int>("forever"), Is.EqualTo(42));
        }

        Assert.That(cache.LocalHits, Is.EqualTo(12));
        Assert.That(cache.CoreReads, Is.Zero, "every hit was answered without the generic core");
        Assert.That(shared?.Reads ?? 0, Is.Zero);
    }

    [Test]
    public async Task GetOrCreateAsync_WhatMemoryCannotAnswer_ReachesTheGenericCore([Values] Layout layout)
    {
        var (sealedCache, _, _) = Create(layout);
        var cache = new LocalCountingCache(sealedCache);
        await cache.SetAsync("tagged", "value", new StockpileCacheEntryOptions { Tags = ["t"] });

        Assert.That(await cache.GetOrCreateAsync("missing", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("made"));
        Assert.That(await cache.GetAsync<string>("tagged"), Is.EqualTo("value"), "a tagged value's stamps are checked by the core");
        using (StockpileCaching.Disable())
        {
            Assert.That(await cache.GetAsync<string>("missing"), Is.Null, "a disabled flow reads nothing");
        }

        Assert.That(cache.CoreReads, Is.EqualTo(3));
        Assert.That(cache.LocalHits, Is.Zero);
        Assert.That(await cache.GetAsync<string>("missing"), Is.EqualTo("made"));
        Assert.That(cache.LocalHits, Is.EqualTo(1), "the made value is in memory");
    }

    [Test]
    public async Task GetOrCreateAsync_ThroughAnImplementationWithoutTryGetLocal_ReadsThroughTheCore([Values] Layout layout)
    {
        // A fake or decorator that implements only the generic members keeps the interface's default TryGetLocal
        // (false): every read then goes to its core, with the same answers.
        var (sealedCache, _, _) = Create(layout);
        var cache = new CoreCountingCache(sealedCache);
        await cache.SetAsync("k", new StockpileCacheContractTests.Counter { Value = 1 });

        Assert.That(((IStockpileCache)cache).TryGetLocal("k", out var local), Is.False);
        Assert.That(local, Is.Null);
        Assert.That((await cache.GetOrCreateAsync("k", 0, Unexpected<StockpileCacheContractTests.Counter>)).Value, Is.EqualTo(1));
        Assert.That((await cache.GetAsync<StockpileCacheContractTests.Counter>("k"))!.Value, Is.EqualTo(1));
        Assert.That(await cache.GetOrCreateAsync("other", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("made"));
        Assert.That(cache.CoreReads, Is.EqualTo(3));
    }

    [Test]
    public async Task TryGetLocal_AnswersWhatMemoryHolds_AndNothingElse([Values] Layout layout)
    {
        var (sealedCache, time, _) = Create(layout);
        var cache = Interface(sealedCache);
        var frozen = new StockpileCacheContractTests.Frozen("x");
        var counter = new StockpileCacheContractTests.Counter { Value = 1 };
        await cache.SetAsync("frozen", frozen);
        await cache.SetAsync("counter", counter);
        await cache.SetAsync<string?>("null", null);
        await cache.SetAsync("tagged", "value", new StockpileCacheEntryOptions { Tags = ["t"] });
        await cache.SetAsync("basket", new StockpileCacheContractTests.Basket { Owner = "ann" });
        await cache.SetAsync("short", "lived", new StockpileCacheEntryOptions { Expiration = TimeSpan.FromSeconds(1) });

        Assert.That(cache.TryGetLocal("frozen", out var read) && ReferenceEquals(read, frozen), Is.True, "an immutable value as stored");
        Assert.That(cache.TryGetLocal("counter", out read), Is.True);
        Assert.That(read, Is.TypeOf<StockpileCacheContractTests.Counter>().And.Not.SameAs(counter).And.Property(nameof(StockpileCacheContractTests.Counter.Value)).EqualTo(1), "a flat mutable value as a copy of the caller's own");
        Assert.That(cache.TryGetLocal("counter", out var again) && !ReferenceEquals(again, read), Is.True);
        Assert.That(cache.TryGetLocal("null", out read) && read is null, Is.True, "a stored null is a hit");
        Assert.That(cache.TryGetLocal("missing", out read) || read is not null, Is.False);
        Assert.That(cache.TryGetLocal("tagged", out _), Is.False, "a tagged value's stamps need the asynchronous read");
        Assert.That(cache.TryGetLocal("basket", out _), Is.False, "a value kept serialized needs its type to be read");
        Assert.That(cache.TryGetLocal("short", out _), Is.True);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(cache.TryGetLocal("short", out _), Is.False, "an expired value is never served");
        using (cache.Disable())
        {
            Assert.That(cache.TryGetLocal("frozen", out _), Is.False, "a disabled flow reads nothing");
        }

        Assert.Throws<ArgumentNullException>(() => cache.TryGetLocal(null!, out _));
        Assert.That(Assert.Throws<ArgumentException>(() => cache.TryGetLocal(new string('k', 1_025), out _))!.Message, Does.Contain("MaximumKeyLength"));
    }

    [Test]
    public async Task TryGetLocal_OverASharedTier_AnswersFromMemoryOnly()
    {
        var (cache, _, shared) = Create(Layout.MemoryOverShared);
        await cache.SetAsync("k", "value");
        ((LayeredCacheTier)cache.Tier).Memory.Clear();

        Assert.That(cache.TryGetLocal("k", out _), Is.False, "the value is only in the shared tier");
        Assert.That(shared!.Reads, Is.Zero);
        Assert.That(await ((IStockpileCache)cache).GetAsync<string>("k"), Is.EqualTo("value"));
        Assert.That(cache.TryGetLocal("k", out var read) && read is "value", Is.True, "the read back-filled memory");
    }

    [Test]
    public async Task GetOrCreateAsync_ImmutableHitThroughTheInterface_AllocatesNothing([Values] Layout layout)
    {
        var (sealedCache, _, _) = Create(layout);
        var cache = Interface(sealedCache);
        var stored = new StockpileCacheContractTests.Frozen("x");
        await cache.SetAsync("k", stored);
        await cache.SetForeverAsync("forever", stored);
        await cache.SetAsync("number", 42);
        for (var i = 0; i < 200; i++)
        {
            _ = await cache.GetOrCreateAsync("k", 0, Unexpected<StockpileCacheContractTests.Frozen>);
            _ = await cache.GetAsync<StockpileCacheContractTests.Frozen>("forever");
            _ = await cache.GetAsync<int>("number");
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            var hit = cache.GetOrCreateAsync("k", 0, Unexpected<StockpileCacheContractTests.Frozen>);
            var forever = cache.GetAsync<StockpileCacheContractTests.Frozen>("forever");
            var number = cache.GetAsync<int>("number");
            if (!hit.IsCompletedSuccessfully || !ReferenceEquals(hit.Result, stored) || !forever.IsCompletedSuccessfully
                || !ReferenceEquals(forever.Result, stored) || !number.IsCompletedSuccessfully || number.Result != 42)
            {
                Assert.Fail($"hit {i} did not answer synchronously with the stored value");
            }
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "a hit of an immutable value through the interface allocates nothing");
    }

    [Test]
    public async Task GetOrCreateAsync_HitsThroughTheInterface_KeepTheSealedClassesAnswers([Values] Layout layout)
    {
        var (sealedCache, time, _) = Create(layout, new CountingTimeProvider());
        var clock = (CountingTimeProvider)time;
        var cache = Interface(sealedCache);
        await cache.SetAsync("tally", new StockpileCacheContractTests.DetailedTally { Value = 3, Note = "own" });
        await cache.SetAsync("text", "text");
        await cache.SetForeverAsync("forever", "kept");

        var tally = await cache.GetOrCreateAsync("tally", 0, Unexpected<StockpileCacheContractTests.Tally>);
        Assert.That(tally, Is.TypeOf<StockpileCacheContractTests.DetailedTally>().And.Property(nameof(StockpileCacheContractTests.DetailedTally.Note)).EqualTo("own"), "a derived flat value read as its base is copied whole");

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetOrCreateAsync("text", 0, Unexpected<StockpileCacheContractTests.Counter>));
        var read = Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetAsync<StockpileCacheContractTests.Counter>("text"));
        Assert.That(error!.Message, Does.Contain("'text'").And.Contain("String").And.Contain("Counter"));
        Assert.That(read!.Message, Is.EqualTo(error.Message));

        var before = clock.Timestamps;
        Assert.That(await cache.GetOrCreateAsync("forever", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("kept"));
        Assert.That(await cache.GetAsync<string>("forever"), Is.EqualTo("kept"));
        Assert.That(clock.Timestamps - before, Is.Zero, "a hit of a value that never expires reads no clock");
        Assert.That(await cache.GetAsync<string>("text"), Is.EqualTo("text"));
        Assert.That(clock.Timestamps - before, Is.EqualTo(1), "a hit of an expiring value reads the clock once");
    }

    /// <summary>The cache as callers of the interface hold it (its calls bind to the extensions, not the sealed class's methods).</summary>
#pragma warning disable CA1859 // The interface is the point: its calls are what these tests read.
    private static IStockpileCache Interface(StockpileCache cache) => cache;
#pragma warning restore CA1859

    private static ValueTask<T> Unexpected<T>(int state, CancellationToken cancellationToken) =>
        ValueTask.FromException<T>(new AssertionException("the factory ran on a hit"));
}
