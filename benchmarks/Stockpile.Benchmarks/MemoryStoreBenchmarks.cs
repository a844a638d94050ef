using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;

namespace Stockpile.Benchmarks;

/// <summary>
/// A memory store hit against the two things people would use instead: <see cref="MemoryCache"/> and a plain
/// <see cref="ConcurrentDictionary{TKey, TValue}"/>. Every cache holds the same 1,000 products with the same 30-minute
/// lifetime (the dictionary has none). The goal: a hit by primary key no slower than <c>MemoryCache.TryGetValue</c>
/// and allocating nothing.
/// </summary>
[MemoryDiagnoser]
public class MemoryStoreBenchmarks
{
    private const int Count = 1_000;
    private const int HitId = 421;
    private const int MissId = -1;
    private static readonly TimeSpan s_lifetime = TimeSpan.FromMinutes(30);

    // MemoryCache keys are objects: boxed once here, as a caller holding its key as an object would.
    private readonly object _cacheKey = HitId;
    private readonly ConcurrentDictionary<int, Product> _dictionary = new();
    private MemoryCache _cache = null!;
    private MemoryStore _store = null!;
    private MemoryStore _storeWithoutLifetime = null!;
    private ChainedStore _chain = null!;
    private Product[] _products = null!;
    private EntityKey _bySku = null!;
    private string _hitSku = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _products = [.. Enumerable.Range(0, Count).Select(i => new Product { Id = i, Sku = $"SKU-{i:D6}", Name = $"Product {i}", Price = i })];
        _cache = new MemoryCache(new MemoryCacheOptions());
        _store = new MemoryStore(new MemoryStoreOptions { DefaultLifetime = s_lifetime });
        _storeWithoutLifetime = new MemoryStore(new MemoryStoreOptions { DefaultLifetime = Timeout.InfiniteTimeSpan });
        _chain = new ChainedStore([new MemoryStore(new MemoryStoreOptions { DefaultLifetime = s_lifetime }), new MemoryStore()]);
        foreach (var product in _products)
        {
            _cache.Set((object)product.Id, product, s_lifetime);
            _dictionary[product.Id] = product;
            Wait(_store.PutAsync(product));
            Wait(_storeWithoutLifetime.PutAsync(product));
            Wait(_chain.PutAsync(product));
        }

        _hitSku = _products[HitId].Sku;
        _bySku = EntityKey.Of<Product>(nameof(Product.Sku), _hitSku);
    }

    [GlobalCleanup]
    public void Cleanup() => _cache.Dispose();

    [Benchmark(Baseline = true, Description = "MemoryCache.TryGetValue hit")]
    public Product? MemoryCacheHit() => _cache.TryGetValue(_cacheKey, out Product? product) ? product : null;

    [Benchmark(Description = "ConcurrentDictionary.TryGetValue hit")]
    public Product? DictionaryHit() => _dictionary.TryGetValue(HitId, out var product) ? product : null;

    [Benchmark(Description = "MemoryStore hit by primary key")]
    public Product? StoreHitByPrimaryKey() => Result(_store.GetAsync<Product, int>(HitId));

    [Benchmark(Description = "MemoryStore hit by primary key, no lifetime")]
    public Product? StoreHitWithoutLifetime() => Result(_storeWithoutLifetime.GetAsync<Product, int>(HitId));

    [Benchmark(Description = "MemoryStore miss by primary key")]
    public Product? StoreMissByPrimaryKey() => Result(_store.GetAsync<Product, int>(MissId));

    [Benchmark(Description = "MemoryStore hit by alternate key (EntityKey)")]
    public Product? StoreHitByAlternateKey() => Result(_store.GetAsync<Product>(_bySku));

    [Benchmark(Description = "MemoryStore hit by alternate key (EntityKey.Of per call)")]
    public Product? StoreHitByAlternateKeyBuiltPerCall() => Result(_store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), _hitSku)));

    [Benchmark(Description = "MemoryStore hit by primary key (EntityKey.For per call)")]
    public Product? StoreHitByPrimaryEntityKeyBuiltPerCall() => Result(_store.GetAsync<Product>(EntityKey.For<Product>(HitId)));

    [Benchmark(Description = "ChainedStore top-tier hit by primary key")]
    public Product? ChainTopTierHit() => Result(_chain.GetAsync<Product, int>(HitId));

    [Benchmark(Description = "MemoryStore put (replace)")]
    public void StorePut() => Wait(_store.PutAsync(_products[_next++ % Count]));

    [Benchmark(Description = "MemoryCache.Set (replace)")]
    public void MemoryCacheSet()
    {
        var product = _products[_next++ % Count];
        _cache.Set((object)product.Id, product, s_lifetime);
    }

    private static T? Result<T>(ValueTask<T?> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }
}
