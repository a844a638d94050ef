using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Stockpile.Testing.Logging;

namespace Stockpile.Testing.Caching;

/// <summary>
/// <see cref="HybridCache"/> as Stockpile implements it, over one cache: a fixture per tier layout (memory; memory over
/// Redis; Redis alone; the cluster) derives from this class.
/// </summary>
/// <param name="host">Where the caches under test live.</param>
public abstract class StockpileHybridCacheContractTests(IStockpileCacheHost host) : StockpileCacheContractFixture(host)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

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
    public async Task GetOrCreateAsync_WithFlags_TagRemovedWhileTheFactoryRuns_ValueIsNotServedAfterwards()
    {
        var (hybrid, _, _) = Create();
        string[] tags = ["t"];

        // DisableLocalCacheRead takes the path that honours flags: it reads nothing, runs the factory and stores.
        await hybrid.GetOrCreateAsync("k", hybrid, async (h, ct) =>
        {
            await h.RemoveByTagAsync("t", ct);
            return "computed before the removal";
        }, new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheRead }, tags);
        var read = await hybrid.GetOrCreateAsync("k", static _ => new ValueTask<string>("computed after"), tags: tags);

        Assert.That(read, Is.EqualTo("computed after"));
    }

    [Test]
    public async Task GetOrCreateAsync_ConcurrentMisses_RunTheFactoryOnce()
    {
        var (hybrid, _, _) = Create();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;

        var callers = Enumerable.Range(0, 20).Select(_ => hybrid.GetOrCreateAsync("k", gate, async (g, ct) =>
        {
            Interlocked.Increment(ref calls);
            await g.Task;
            return "made";
        }).AsTask()).ToArray();
        gate.SetResult();

        Assert.That(await Task.WhenAll(callers).WaitAsync(s_bound), Has.All.EqualTo("made"));
        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public async Task GetOrCreateAsync_MutableValue_EachCallerGetsItsOwnCopy()
    {
        var (hybrid, _, _) = Create();
        var made = await hybrid.GetOrCreateAsync("k", static _ => new ValueTask<StockpileCacheContractTests.Counter>(new StockpileCacheContractTests.Counter { Value = 1 }));

        made.Value = 2;
        var read = await hybrid.GetOrCreateAsync("k", static _ => new ValueTask<StockpileCacheContractTests.Counter>(new StockpileCacheContractTests.Counter { Value = 9 }));

        Assert.That(read.Value, Is.EqualTo(1), "the factory's object is not the cached one");
        read.Value = 3;
        Assert.That((await hybrid.GetOrCreateAsync("k", static _ => new ValueTask<StockpileCacheContractTests.Counter>(new StockpileCacheContractTests.Counter()))).Value, Is.EqualTo(1));
    }

    [Test]
    public async Task SetRemoveAndTags_BehaveAsHybridCacheDefines()
    {
        var (hybrid, cache, _) = Create();
        await hybrid.SetAsync("a", "A", tags: ["t1"]);
        await hybrid.SetAsync("b", "B", tags: ["t2"]);
        await hybrid.SetAsync("c", "C");
        await hybrid.SetAsync("d", "D", tags: ["t3", "t4"]);

        await hybrid.RemoveByTagAsync("t1");
        Assert.That(await cache.GetAsync<string>("a"), Is.Null);
        Assert.That(await cache.GetAsync<string>("b"), Is.EqualTo("B"));

        await hybrid.RemoveByTagAsync(["t2", "t4"]);
        Assert.That(await cache.GetAsync<string>("b"), Is.Null);
        Assert.That(await cache.GetAsync<string>("d"), Is.Null, "an item with several tags is removed by any one of them");

        await hybrid.SetAsync("e", "E");
        await hybrid.RemoveAsync(["c", "e"]);
        Assert.That(await cache.GetAsync<string>("c"), Is.Null);
        Assert.That(await cache.GetAsync<string>("e"), Is.Null);

        await hybrid.SetAsync("f", "F");
        await hybrid.RemoveByTagAsync("*");
        Assert.That(await cache.GetAsync<string>("f"), Is.Null, "the tag '*' removes everything");
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
        var time = new FakeTimeProvider();
        var (hybrid, cache, _) = Create(time: time);

        await hybrid.SetAsync("k", "v", new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10), LocalCacheExpiration = TimeSpan.FromMinutes(1) });
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("v"));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await cache.GetAsync<string>("k"), Is.Null);
    }

    private (HybridCache Hybrid, StockpileCache Cache, CapturingLoggerProvider Log) Create(int maximumKeyLength = 1024, TimeProvider? time = null)
    {
        var cache = CreateCache(new StockpileCacheOptions { MaximumKeyLength = maximumKeyLength, TimeProvider = time });
        var log = new CapturingLoggerProvider();
        return (new StockpileHybridCache(cache, new ProviderLogger(log)), cache, log);
    }

    private sealed class ProviderLogger(CapturingLoggerProvider provider) : ILogger<StockpileHybridCache>
    {
        private readonly ILogger _inner = provider.CreateLogger(typeof(StockpileHybridCache).FullName!);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => _inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
