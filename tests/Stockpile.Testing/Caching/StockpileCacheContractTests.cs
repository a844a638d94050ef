using System.ComponentModel;
using Microsoft.Extensions.Time.Testing;

namespace Stockpile.Testing.Caching;

/// <summary>
/// The cache-manager operations on one cache: a fixture per tier layout (memory; memory over Redis; Redis alone; the
/// cluster) derives from this class.
/// </summary>
/// <param name="host">Where the caches under test live.</param>
public abstract class StockpileCacheContractTests(IStockpileCacheHost host) : StockpileCacheContractFixture(host)
{
    private FakeTimeProvider _time = null!;
    private StockpileCache _cache = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _cache = CreateCache(new StockpileCacheOptions { TimeProvider = _time, DefaultExpiration = TimeSpan.FromMinutes(5) });
    }

    [Test]
    public async Task GetAsync_Missing_IsDefault_AndDefaultsAreNotStored()
    {
        Assert.That(await _cache.GetAsync<string>("k"), Is.Null);
        Assert.That(await _cache.GetOrDefaultAsync("k", "fallback"), Is.EqualTo("fallback"));
        Assert.That(await _cache.GetOrDefaultAsync("k", static _ => new ValueTask<int>(7)), Is.EqualTo(7));
        Assert.That(await _cache.ContainsAsync("k"), Is.False);
    }

    [Test]
    public async Task SetAsync_Duration_ExpiresAfterIt()
    {
        await _cache.SetAsync("k", "v", new StockpileCacheEntryOptions { Expiration = TimeSpan.FromSeconds(10) });
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.That(await _cache.GetAsync<string>("k"), Is.EqualTo("v"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await _cache.GetAsync<string>("k"), Is.Null);
        Assert.That(await _cache.ContainsAsync("k"), Is.False);
    }

    [Test]
    public async Task SetAsync_AbsoluteExpiryInThePast_StoresNothingAndKeepsTheOldValue()
    {
        await _cache.SetAsync("k", "old");

        await _cache.SetAsync("k", "new", _time.GetUtcNow().AddSeconds(-1));

        Assert.That(await _cache.GetAsync<string>("k"), Is.EqualTo("old"));
        await _cache.SetAsync("k", "new", _time.GetUtcNow().AddSeconds(30));
        Assert.That(await _cache.GetAsync<string>("k"), Is.EqualTo("new"));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(await _cache.GetAsync<string>("k"), Is.Null);
    }

    [Test]
    public async Task SetForeverAsync_OutlivesTheDefaultExpiration()
    {
        await _cache.SetForeverAsync("k", 42);
        _time.Advance(TimeSpan.FromDays(365));

        Assert.That(await _cache.GetAsync<int>("k"), Is.EqualTo(42));
    }

    [Test]
    public async Task AddAsync_StoresOnlyWhenAbsent()
    {
        Assert.That(await _cache.AddAsync("k", "first"), Is.True);
        Assert.That(await _cache.AddAsync("k", "second"), Is.False);
        Assert.That(await _cache.GetAsync<string>("k"), Is.EqualTo("first"));

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await _cache.AddAsync("k", "third"), Is.True, "an expired value is absent");
    }

    [Test]
    public async Task AddAsync_ConcurrentCallers_ExactlyOneStores()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () => await _cache.AddAsync("k", i))));

        Assert.That(results.Count(static r => r), Is.EqualTo(1));
    }

    [Test]
    public async Task RemoveAsync_SaysWhetherTheKeyExisted()
    {
        await _cache.SetAsync("k", "v");

        Assert.That(await _cache.RemoveAsync("k"), Is.True);
        Assert.That(await _cache.RemoveAsync("k"), Is.False);
        Assert.That(await _cache.GetAsync<string>("k"), Is.Null);
    }

    [Test]
    public async Task PullAsync_ReadsAndRemoves_OnceAcrossConcurrentCallers()
    {
        await _cache.SetAsync("k", "v");

        var pulled = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () => await _cache.PullAsync<string>("k"))));

        Assert.That(pulled.Count(static p => p == "v"), Is.EqualTo(1));
        Assert.That(await _cache.ContainsAsync("k"), Is.False);
    }

    [Test]
    public async Task IncrementAsync_MissingStartsAtZero_AndConcurrentIncrementsLoseNothing()
    {
        Assert.That(await _cache.IncrementAsync("n", -2), Is.EqualTo(-2));

        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () => await _cache.IncrementAsync("n"))));

        Assert.That(await _cache.GetAsync<long>("n"), Is.EqualTo(198));
    }

    [Test]
    public async Task IncrementAsync_KeepsTheRemainingLifetime()
    {
        await _cache.SetAsync("n", 10L, new StockpileCacheEntryOptions { Expiration = TimeSpan.FromSeconds(10) });
        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.That(await _cache.IncrementAsync("n", 5), Is.EqualTo(15));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.That(await _cache.ContainsAsync("n"), Is.False, "the increment must not restart the lifetime");
    }

    [Test]
    public async Task IncrementAsync_OnSerializedIntegerWorks_OnTextIsAClearError()
    {
        await _cache.SetAsync("counter", new Counter { Value = 1 });
        await _cache.SetAsync("text", "abc");

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await _cache.IncrementAsync("text"));
        Assert.That(error!.Message, Does.Contain("'text'").And.Contain("not an integer"));
        Assert.That(await _cache.GetAsync<string>("text"), Is.EqualTo("abc"), "nothing was changed");
        Assert.ThrowsAsync<InvalidOperationException>(async () => await _cache.IncrementAsync("counter"));
    }

    [Test]
    public async Task FlushAsync_EmptiesOnlyThisCache()
    {
        var other = CreateCache(new StockpileCacheOptions { KeyPrefix = "other", TimeProvider = _time });
        await _cache.SetAsync("k", "mine");
        await other.SetAsync("k", "theirs");

        await _cache.FlushAsync();

        Assert.That(await _cache.GetAsync<string>("k"), Is.Null);
        Assert.That(await other.GetAsync<string>("k"), Is.EqualTo("theirs"));
    }

    [Test]
    public async Task Values_MutableTypesAreCopied_ImmutableOnesKeptByReference()
    {
        var mutable = new Counter { Value = 1 };
        var immutable = new Frozen("x");
        await _cache.SetAsync("m", mutable);
        await _cache.SetAsync("i", immutable);

        mutable.Value = 2;
        var read = await _cache.GetAsync<Counter>("m");
        read!.Value = 3;

        Assert.That((await _cache.GetAsync<Counter>("m"))!.Value, Is.EqualTo(1), "neither the caller's object nor a reader's copy is the cached one");
        Assert.That(await _cache.GetAsync<Frozen>("i"), HasMemoryLevel ? Is.SameAs(immutable) : Is.EqualTo(immutable));
    }

    [Test]
    public async Task Values_MutableMembersAndBaseClassFields_AreCopiedToo()
    {
        var basket = new Basket { Owner = "ann", Items = [1, 2] };
        var tally = new DetailedTally { Value = 1, Note = "x" };
        await _cache.SetAsync("basket", basket);
        await _cache.SetAsync("tally", tally);

        basket.Items.Add(3);
        tally.Value = 5;
        var readBasket = await _cache.GetAsync<Basket>("basket");
        var readTally = await _cache.GetAsync<DetailedTally>("tally");
        readBasket!.Items.Add(4);
        readTally!.Value = 6;

        Assert.That((await _cache.GetAsync<Basket>("basket"))!.Items, Is.EqualTo(new[] { 1, 2 }), "a list inside the value is copied, not shared");
        Assert.That(await _cache.GetAsync<DetailedTally>("tally"), Has.Property(nameof(Tally.Value)).EqualTo(1).And.Property(nameof(DetailedTally.Note)).EqualTo("x"));
        Assert.That(await _cache.GetAsync<Tally>("tally"), Is.InstanceOf<Tally>().And.Property(nameof(Tally.Value)).EqualTo(1), "read as its base type");
    }

    [Test]
    public void Key_LongerThanTheLimit_IsRefusedNamingTheLimit()
    {
        var cache = CreateCache(new StockpileCacheOptions { MaximumKeyLength = 8 });

        var error = Assert.ThrowsAsync<ArgumentException>(async () => await cache.SetAsync("123456789", 1));
        Assert.That(error!.Message, Does.Contain("MaximumKeyLength"));
    }

    public sealed class Counter
    {
        public int Value { get; set; }
    }

    [ImmutableObject(true)]
    public sealed record Frozen(string Name);

    public class Tally
    {
        public int Value { get; set; }
    }

    public sealed class DetailedTally : Tally
    {
        public string Note { get; set; } = "";
    }

    public sealed class Basket
    {
        public string Owner { get; set; } = "";

        public List<int> Items { get; set; } = [];
    }
}
