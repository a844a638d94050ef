using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Caching;

[TestFixture]
public sealed class StockpileHybridCacheTests
{
    [Test]
    public async Task AddCache_RegistersHybridCacheAndIStockpileCache_OverOneCache()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddCache(o => o.KeyPrefix = "app");
        await using var provider = services.BuildServiceProvider();

        var hybrid = provider.GetRequiredService<HybridCache>();
        var cache = provider.GetRequiredService<IStockpileCache>();
        await hybrid.SetAsync("k", "from hybrid");

        Assert.That(hybrid, Is.InstanceOf<StockpileHybridCache>());
        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("from hybrid"));
    }

    [Test]
    public async Task GetOrCreateAsync_BothOverloads_RunTheFactoryOncePerKey()
    {
        var (hybrid, _, _) = Create();
        var calls = 0;

        var first = await hybrid.GetOrCreateAsync("k", ct => new ValueTask<int>(Interlocked.Increment(ref calls)));
        var second = await hybrid.GetOrCreateAsync("k", 10, static (state, _) => new ValueTask<int>(state));

        Assert.That((first, second, calls), Is.EqualTo((1, 1, 1)));
    }

    [Test]
    public async Task SetRemoveAndTags_BehaveAsHybridCacheDefines()
    {
        var (hybrid, cache, _) = Create();
        await hybrid.SetAsync("a", "A", tags: ["t1"]);
        await hybrid.SetAsync("b", "B", tags: ["t2"]);
        await hybrid.SetAsync("c", "C");

        await hybrid.RemoveByTagAsync("t1");
        Assert.That(await cache.GetAsync<string>("a"), Is.Null);
        Assert.That(await cache.GetAsync<string>("b"), Is.EqualTo("B"));

        await hybrid.RemoveAsync(["b"]);
        Assert.That(await cache.GetAsync<string>("b"), Is.Null);

        await hybrid.RemoveByTagAsync("*");
        Assert.That(await cache.GetAsync<string>("c"), Is.Null, "the tag '*' removes everything");
    }

    [Test]
    public async Task Flags_AreHonoured()
    {
        var (hybrid, cache, _) = Create();
        var calls = 0;
        ValueTask<string> Factory(CancellationToken _) => new($"made {Interlocked.Increment(ref calls)}");

        var none = await hybrid.GetOrCreateAsync("k", Factory, new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableUnderlyingData });
        Assert.That((none, calls), Is.EqualTo(((string?)null, 0)), "DisableUnderlyingData never runs the factory");

        var notStored = await hybrid.GetOrCreateAsync("k", Factory, new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheWrite });
        Assert.That(notStored, Is.EqualTo("made 1"));
        Assert.That(await cache.ContainsAsync("k"), Is.False, "DisableLocalCacheWrite stores nothing");

        await cache.SetAsync("k", "cached");
        var fresh = await hybrid.GetOrCreateAsync("k", Factory, new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheRead });
        Assert.That(fresh, Is.EqualTo("made 2"), "DisableLocalCacheRead runs the factory");
        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("made 2"));
    }

    [Test]
    public async Task KeyOverTheLimit_IsLoggedAndNotCached_NeverThrown()
    {
        var (hybrid, cache, log) = Create(maximumKeyLength: 5);
        var calls = 0;

        var value = await hybrid.GetOrCreateAsync("too-long", ct => new ValueTask<int>(Interlocked.Increment(ref calls)));
        var again = await hybrid.GetOrCreateAsync("too-long", ct => new ValueTask<int>(Interlocked.Increment(ref calls)));
        await hybrid.SetAsync("too-long", 9);

        Assert.That((value, again), Is.EqualTo((1, 2)));
        var warnings = log.Entries.Where(static e => e.Level == LogLevel.Warning).Select(static e => e.EventId.Name).ToList();
        Assert.That(warnings, Has.Count.EqualTo(3));
        Assert.That(warnings, Has.All.EqualTo("CacheKeyRefused"));
        Assert.That(await cache.GetAsync<int>("short"), Is.Zero);
    }

    [Test]
    public async Task Expiration_LocalCacheExpirationFirst()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var cache = new StockpileCache(new StockpileCacheOptions { TimeProvider = time });
        var hybrid = new StockpileHybridCache(cache, new ListLogger<StockpileHybridCache>());

        await hybrid.SetAsync("k", "v", new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10), LocalCacheExpiration = TimeSpan.FromMinutes(1) });
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.That(await cache.GetAsync<string>("k"), Is.Null);
    }

    private static (HybridCache Hybrid, StockpileCache Cache, ListLogger<StockpileHybridCache> Log) Create(int maximumKeyLength = 1024)
    {
        var cache = new StockpileCache(new StockpileCacheOptions { MaximumKeyLength = maximumKeyLength });
        var log = new ListLogger<StockpileHybridCache>();
        return (new StockpileHybridCache(cache, log), cache, log);
    }
}
