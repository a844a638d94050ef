using Microsoft.Extensions.Time.Testing;

namespace Stockpile.Testing.Caching;

/// <summary>
/// Issue 12, item 1: reads through <see cref="IStockpileCache"/>, as most callers make them, promise what the sealed
/// class's reads promise, on every tier layout: a hit hands out the stored value (a flat mutable one copied for each
/// caller, an immutable one as stored where a process level keeps it), an expired or tag-removed value is never served,
/// a stored <see langword="null"/> is a hit, a disabled flow reads nothing, and bad arguments are refused even when
/// the key is a hit.
/// </summary>
/// <param name="host">Where the caches under test live.</param>
public abstract class StockpileCacheInterfaceContractTests(IStockpileCacheHost host) : StockpileCacheContractFixture(host)
{
    private FakeTimeProvider _time = null!;
    private IStockpileCache _cache = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _cache = CreateCache(new StockpileCacheOptions { TimeProvider = _time, DefaultExpiration = TimeSpan.FromMinutes(5), MaximumKeyLength = 64 });
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfAFlatMutableValue_EachCallerGetsItsOwnCopy()
    {
        var stored = new StockpileCacheContractTests.Counter { Value = 1 };
        await _cache.SetAsync("k", stored);

        var first = await _cache.GetOrCreateAsync("k", 0, Unexpected<StockpileCacheContractTests.Counter>);
        var second = await _cache.GetOrCreateAsync("k", 0, Unexpected<StockpileCacheContractTests.Counter>);
        var read = await _cache.GetAsync<StockpileCacheContractTests.Counter>("k");
        first.Value = 2;
        read!.Value = 3;

        Assert.That(first, Is.Not.SameAs(second).And.Not.SameAs(stored).And.Not.SameAs(read));
        Assert.That((await _cache.GetOrCreateAsync("k", 0, Unexpected<StockpileCacheContractTests.Counter>)).Value, Is.EqualTo(1), "a caller changing its copy never changes the cache");
        Assert.That((await _cache.GetAsync<StockpileCacheContractTests.Counter>("k"))!.Value, Is.EqualTo(1));
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfAnImmutableValue_IsTheStoredValue()
    {
        var stored = new StockpileCacheContractTests.Frozen("x");
        await _cache.SetAsync("k", stored);

        var hit = await _cache.GetOrCreateAsync("k", 0, Unexpected<StockpileCacheContractTests.Frozen>);
        var read = await _cache.GetAsync<StockpileCacheContractTests.Frozen>("k");

        Assert.That(hit, HasMemoryLevel ? Is.SameAs(stored) : Is.EqualTo(stored));
        Assert.That(read, HasMemoryLevel ? Is.SameAs(stored) : Is.EqualTo(stored));
    }

    [Test]
    public async Task GetOrCreateAsync_HitUntilTheExpiry_MissAtIt()
    {
        await _cache.SetAsync("k", "until", new StockpileCacheEntryOptions { Expiration = TimeSpan.FromSeconds(10) });

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.That(await _cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("until"));
        Assert.That(await _cache.GetAsync<string>("k"), Is.EqualTo("until"));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await _cache.GetAsync<string>("k"), Is.Null, "expired at its deadline");
        Assert.That(await _cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("made"));
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfAValueStoredForever_OutlivesTheDefaultExpiration()
    {
        await _cache.SetForeverAsync("k", "kept");
        _time.Advance(TimeSpan.FromDays(365));

        Assert.That(await _cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("kept"));
        Assert.That(await _cache.GetAsync<string>("k"), Is.EqualTo("kept"));
    }

    [Test]
    public async Task GetOrCreateAsync_TaggedHitAfterItsTagIsRemoved_RunsTheFactory()
    {
        await _cache.SetAsync("k", "tagged", new StockpileCacheEntryOptions { Tags = ["t"] });
        Assert.That(await _cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("tagged"));
        Assert.That(await _cache.GetAsync<string>("k"), Is.EqualTo("tagged"));

        await _cache.RemoveByTagAsync("t");

        Assert.That(await _cache.GetAsync<string>("k"), Is.Null);
        Assert.That(await _cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("made"));
    }

    [Test]
    public async Task GetOrCreateAsync_HitOfAStoredNullOrValueType_IsAHit()
    {
        await _cache.SetAsync<string?>("null", null);
        await _cache.SetAsync("number", 42);

        Assert.That(await _cache.GetOrCreateAsync<int, string?>("null", 0, static (_, _) => new ValueTask<string?>("made")), Is.Null);
        Assert.That(await _cache.GetOrCreateAsync("number", 0, static (_, _) => new ValueTask<int>(7)), Is.EqualTo(42));
        Assert.That(await _cache.GetAsync<int>("number"), Is.EqualTo(42));
        Assert.That(await _cache.GetAsync<long?>("missing"), Is.Null);
    }

    [Test]
    public async Task GetOrCreateAsync_InsideADisabledFlow_RunsTheFactory_AndReadsNothing()
    {
        await _cache.SetAsync("k", "stored");

        using (_cache.Disable())
        {
            Assert.That(await _cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("made"));
            Assert.That(await _cache.GetAsync<string>("k"), Is.Null);
        }

        Assert.That(await _cache.GetAsync<string>("k"), Is.EqualTo("stored"));
    }

    [Test]
    public async Task GetOrCreateAsync_BadArgumentsForAKeyThatIsAHit_AreRefused()
    {
        await _cache.SetAsync("k", "stored");

        Assert.ThrowsAsync<ArgumentNullException>(async () => await _cache.GetOrCreateAsync("k", 0, (Func<int, CancellationToken, ValueTask<string>>)null!));
        Assert.ThrowsAsync<ArgumentNullException>(async () => await _cache.GetOrCreateAsync(null!, 0, static (_, _) => new ValueTask<string>("made")));
        Assert.ThrowsAsync<ArgumentNullException>(async () => await _cache.GetAsync<string>(null!));
        var tooLong = new string('k', 65);
        Assert.That(Assert.ThrowsAsync<ArgumentException>(async () => await _cache.GetAsync<string>(tooLong))!.Message, Does.Contain("MaximumKeyLength"));
        Assert.That(Assert.ThrowsAsync<ArgumentException>(async () => await _cache.GetOrCreateAsync(tooLong, 0, static (_, _) => new ValueTask<string>("made")))!.Message, Does.Contain("MaximumKeyLength"));
    }

    private static ValueTask<T> Unexpected<T>(int state, CancellationToken cancellationToken) =>
        ValueTask.FromException<T>(new AssertionException("the factory ran on a hit"));
}
