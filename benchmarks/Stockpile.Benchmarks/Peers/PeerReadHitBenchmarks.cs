using System.Collections.Concurrent;
using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Caching.Memory;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 1: a memory hit, Stockpile against <c>MemoryCache.TryGetValue</c>, FusionCache and HybridCache,
/// all set up with Redis below them (<see cref="PeerSetup"/>; a hit never reaches it). By id: Stockpile's entity chain
/// <c>GetAsync&lt;Product, int&gt;</c> against the peers' get-or-create under a prebuilt string key (a caller would
/// usually build <c>"product:" + id</c> per call: the peers are spared that). By string key: Stockpile's
/// <see cref="StockpileCacheExtensions.GetOrCreateAsync{TState, T}"/> against the same calls, for the mutable <see cref="Product"/>
/// (Stockpile and HybridCache hand out a copy, FusionCache the stored instance) and for an immutable type
/// (<see cref="FrozenProduct"/>, which every library hands out as stored); Stockpile's call is measured through the
/// interface, as most callers make it (since session 6 an extension over the interface's non-generic
/// <see cref="IStockpileCache.TryGetLocal"/>), and on the sealed <see cref="StockpileCache"/> (registered too). The
/// immutable hit is measured for a value with a lifetime (an hour, as every library here keeps it) and for one stored
/// forever (no clock read), beside the floor: a bare <see cref="ConcurrentDictionary{TKey, TValue}"/> probe. Targets: Stockpile ≤ 1.0x
/// <c>MemoryCache.TryGetValue</c>, at least 3x faster than FusionCache and 5x faster than HybridCache, allocating nothing
/// on an entity hit.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PeerReadHitBenchmarks
{
    private const int HitId = 421;
    private const string ById = "entity by id";
    private const string ByKey = "string key, Product";
    private const string ByKeyFrozen = "string key, immutable";
    private static readonly string s_key = PeerSetup.KeyOf(HitId);
    private static readonly string s_frozenKey = "frozen:" + HitId;
    private static readonly string s_foreverKey = "forever:" + HitId;

    // MemoryCache keys are objects: the id boxed once here, as a caller holding its key as an object would.
    private readonly object _boxedId = HitId;
    private PeerSetup _setup = null!;
    private StockpileCache _sealedCache = null!;
    private MemoryCache _memoryCache = null!;
    private readonly ConcurrentDictionary<string, object> _dictionary = new(StringComparer.Ordinal);

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _setup = await PeerSetup.StartAsync();
        _sealedCache = (StockpileCache)_setup.Cache;
        var product = await _setup.LoadAsync(HitId, default);
        var frozen = FrozenProduct.Of(product);
        _memoryCache = new MemoryCache(new MemoryCacheOptions());
        _memoryCache.Set(_boxedId, product, PeerSetup.Lifetime);
        _memoryCache.Set(s_key, product, PeerSetup.Lifetime);
        _memoryCache.Set(s_frozenKey, frozen, PeerSetup.Lifetime);

        // Every library loads the product through its own miss path once, so the hit below is what a warm cache serves.
        _ = await _setup.Chain.GetAsync<Product, int>(HitId);
        _ = await _setup.Cache.GetOrCreateAsync(s_key, _setup, static (s, ct) => new ValueTask<Product>(s.LoadAsync(HitId, ct)));
        _ = await _setup.Fusion.GetOrSetAsync<Product>(s_key, (_, ct) => _setup.LoadAsync(HitId, ct));
        _ = await _setup.Hybrid.GetOrCreateAsync(s_key, _setup, static (s, ct) => new ValueTask<Product>(s.LoadAsync(HitId, ct)));
        await _setup.Cache.SetAsync(s_frozenKey, frozen);
        await _setup.Cache.SetForeverAsync(s_foreverKey, frozen);
        _dictionary[s_frozenKey] = frozen;
        await _setup.Fusion.SetAsync(s_frozenKey, frozen);
        await _setup.Hybrid.SetAsync(s_frozenKey, frozen);
        var queries = _setup.Queries;

        if (StockpileEntityHit() is not { Id: HitId } || StockpileCacheHit() is not { Id: HitId } || FusionHit() is not { Id: HitId }
            || HybridHit() is not { Id: HitId } || StockpileCacheFrozenHit() is not { Id: HitId } || FusionFrozenHit() is not { Id: HitId }
            || HybridFrozenHit() is not { Id: HitId } || StockpileSealedHit() is not { Id: HitId } || StockpileSealedFrozenHit() is not { Id: HitId }
            || StockpileCacheForeverHit() is not { Id: HitId } || StockpileSealedForeverHit() is not { Id: HitId } || StockpileTryGetLocalHit() is not { Id: HitId }
            || DictionaryProbe() is not { Id: HitId }
            || _setup.Queries != queries)
        {
            throw new InvalidOperationException("A warm cache did not answer its hit from memory.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _memoryCache.Dispose();
        await _setup.DisposeAsync();
    }

    [BenchmarkCategory(ById), Benchmark(Baseline = true, Description = "MemoryCache.TryGetValue (boxed int key)")]
    public Product? MemoryCacheById() => _memoryCache.TryGetValue(_boxedId, out Product? product) ? product : null;

    [BenchmarkCategory(ById), Benchmark(Description = "Stockpile chain GetAsync<Product, int>")]
    public Product? StockpileEntityHit() => Result(_setup.Chain.GetAsync<Product, int>(HitId));

    [BenchmarkCategory(ById), Benchmark(Description = "FusionCache GetOrSetAsync")]
    public Product? FusionById() => FusionHit();

    [BenchmarkCategory(ById), Benchmark(Description = "FusionCache GetOrSet (sync)")]
    public Product? FusionSyncById() => _setup.Fusion.GetOrSet<Product>(s_key, static (_, _) => throw Unexpected());

    [BenchmarkCategory(ById), Benchmark(Description = "HybridCache GetOrCreateAsync")]
    public Product? HybridById() => HybridHit();

    [BenchmarkCategory(ByKey), Benchmark(Baseline = true, Description = "MemoryCache.TryGetValue (string key)")]
    public Product? MemoryCacheByKey() => _memoryCache.TryGetValue(s_key, out Product? product) ? product : null;

    [BenchmarkCategory(ByKey), Benchmark(Description = "Stockpile IStockpileCache.GetOrCreateAsync (copied)")]
    public Product? StockpileCacheHit() => Result(_setup.Cache.GetOrCreateAsync(s_key, 0, static (_, _) => ValueTask.FromException<Product>(Unexpected())));

    [BenchmarkCategory(ByKey), Benchmark(Description = "Stockpile StockpileCache.GetOrCreateAsync (copied; the sealed class, no interface dispatch)")]
    public Product? StockpileSealedHit() => Result(_sealedCache.GetOrCreateAsync(s_key, 0, static (_, _) => ValueTask.FromException<Product>(Unexpected())));

    [BenchmarkCategory(ByKey), Benchmark(Description = "FusionCache GetOrSetAsync (not copied)")]
    public Product? FusionHit() => Result(_setup.Fusion.GetOrSetAsync<Product>(s_key, static (_, _) => Task.FromException<Product>(Unexpected())));

    [BenchmarkCategory(ByKey), Benchmark(Description = "HybridCache GetOrCreateAsync (copied)")]
    public Product? HybridHit() => Result(_setup.Hybrid.GetOrCreateAsync(s_key, 0, static (_, _) => ValueTask.FromException<Product>(Unexpected())));

    [BenchmarkCategory(ByKeyFrozen), Benchmark(Baseline = true, Description = "MemoryCache.TryGetValue (string key), immutable")]
    public FrozenProduct? MemoryCacheFrozen() => _memoryCache.TryGetValue(s_frozenKey, out FrozenProduct? product) ? product : null;

    [BenchmarkCategory(ByKeyFrozen), Benchmark(Description = "Stockpile IStockpileCache.GetOrCreateAsync, immutable")]
    public FrozenProduct? StockpileCacheFrozenHit() => Result(_setup.Cache.GetOrCreateAsync(s_frozenKey, 0, static (_, _) => ValueTask.FromException<FrozenProduct>(Unexpected())));

    [BenchmarkCategory(ByKeyFrozen), Benchmark(Description = "Stockpile StockpileCache.GetOrCreateAsync, immutable (the sealed class, no interface dispatch)")]
    public FrozenProduct? StockpileSealedFrozenHit() => Result(_sealedCache.GetOrCreateAsync(s_frozenKey, 0, static (_, _) => ValueTask.FromException<FrozenProduct>(Unexpected())));

    [BenchmarkCategory(ByKeyFrozen), Benchmark(Description = "Stockpile IStockpileCache.GetOrCreateAsync, immutable, stored forever (no clock read)")]
    public FrozenProduct? StockpileCacheForeverHit() => Result(_setup.Cache.GetOrCreateAsync(s_foreverKey, 0, static (_, _) => ValueTask.FromException<FrozenProduct>(Unexpected())));

    [BenchmarkCategory(ByKeyFrozen), Benchmark(Description = "Stockpile StockpileCache.GetOrCreateAsync, immutable, stored forever (the sealed class)")]
    public FrozenProduct? StockpileSealedForeverHit() => Result(_sealedCache.GetOrCreateAsync(s_foreverKey, 0, static (_, _) => ValueTask.FromException<FrozenProduct>(Unexpected())));

    [BenchmarkCategory(ByKeyFrozen), Benchmark(Description = "Stockpile IStockpileCache.TryGetLocal, immutable (the non-generic core alone)")]
    public FrozenProduct? StockpileTryGetLocalHit() => _setup.Cache.TryGetLocal(s_frozenKey, out var value) ? value as FrozenProduct : null;

    [BenchmarkCategory(ByKeyFrozen), Benchmark(Description = "ConcurrentDictionary<string, object>.TryGetValue (the floor: a probe alone)")]
    public FrozenProduct? DictionaryProbe() => _dictionary.TryGetValue(s_frozenKey, out var value) ? (FrozenProduct)value : null;

    [BenchmarkCategory(ByKeyFrozen), Benchmark(Description = "FusionCache GetOrSetAsync, immutable")]
    public FrozenProduct? FusionFrozenHit() => Result(_setup.Fusion.GetOrSetAsync<FrozenProduct>(s_frozenKey, static (_, _) => Task.FromException<FrozenProduct>(Unexpected())));

    [BenchmarkCategory(ByKeyFrozen), Benchmark(Description = "HybridCache GetOrCreateAsync, immutable")]
    public FrozenProduct? HybridFrozenHit() => Result(_setup.Hybrid.GetOrCreateAsync(s_frozenKey, 0, static (_, _) => ValueTask.FromException<FrozenProduct>(Unexpected())));

    private static InvalidOperationException Unexpected() => new("A hit benchmark ran its factory: the value was not in memory.");

    private static T Result<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static T Result<T>(Task<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.GetAwaiter().GetResult();

    /// <summary>The product as an immutable type (sealed, <see cref="ImmutableObjectAttribute"/>): no library copies it.</summary>
    [ImmutableObject(true)]
    public sealed class FrozenProduct
    {
        public int Id { get; init; }

        public string Sku { get; init; } = "";

        public string Name { get; init; } = "";

        public decimal Price { get; init; }

        public static FrozenProduct Of(Product product) => new() { Id = product.Id, Sku = product.Sku, Name = product.Name, Price = product.Price };
    }
}
