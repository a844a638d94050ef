using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace Stockpile.Benchmarks;

/// <summary>
/// A memory hit of get-or-create with a prebuilt string key: Stockpile's cache (directly and through its HybridCache)
/// against the default HybridCache and FusionCache, each holding the same value under the same key. Two values: a
/// string (immutable, handed out as stored by every cache) and a mutable <see cref="Product"/>, which HybridCache copies
/// by deserializing on each hit and Stockpile by a memberwise copy (FusionCache hands out the stored instance).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CacheBenchmarks
{
    private const string Key = "product:421";
    private const string ProductKey = "product-object:421";
    private static readonly Func<CancellationToken, ValueTask<string>> s_factory = static _ => new ValueTask<string>("made");
    private static readonly Func<CancellationToken, ValueTask<Product>> s_productFactory = static _ => new ValueTask<Product>(new Product());
    private static readonly Product s_product = new() { Id = 421, Sku = "SKU-000421", Name = "Product 421", Price = 42.1m };

    private readonly string _value = "Product 421";
    private ServiceProvider _defaultHybridProvider = null!;
    private ServiceProvider _stockpileProvider = null!;
    private HybridCache _defaultHybrid = null!;
    private HybridCache _stockpileHybrid = null!;
    private IStockpileCache _stockpile = null!;
    private FusionCache _fusion = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddHybridCache();
        _defaultHybridProvider = services.BuildServiceProvider();
        _defaultHybrid = _defaultHybridProvider.GetRequiredService<HybridCache>();

        var stockpile = new ServiceCollection();
        stockpile.AddStockpile().AddMemoryStore().AddCache();
        _stockpileProvider = stockpile.BuildServiceProvider();
        _stockpileHybrid = _stockpileProvider.GetRequiredService<HybridCache>();
        _stockpile = _stockpileProvider.GetRequiredService<IStockpileCache>();

        _fusion = new FusionCache(new FusionCacheOptions());

        Wait(_defaultHybrid.SetAsync(Key, _value));
        Wait(_stockpile.SetAsync(Key, _value));
        _fusion.Set(Key, _value);
        Wait(_defaultHybrid.SetAsync(ProductKey, s_product));
        Wait(_stockpile.SetAsync(ProductKey, s_product));
        _fusion.Set(ProductKey, s_product);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fusion.Dispose();
        _defaultHybridProvider.Dispose();
        _stockpileProvider.Dispose();
    }

    [BenchmarkCategory("string value"), Benchmark(Baseline = true, Description = "HybridCache (default) GetOrCreateAsync hit")]
    public string DefaultHybridHit() => Result(_defaultHybrid.GetOrCreateAsync(Key, s_factory));

    [BenchmarkCategory("string value"), Benchmark(Description = "FusionCache GetOrSetAsync hit")]
    public string FusionHit() => Result(_fusion.GetOrSetAsync<string>(Key, static (_, _) => Task.FromResult("made")));

    [BenchmarkCategory("string value"), Benchmark(Description = "Stockpile IStockpileCache.GetOrCreateAsync hit")]
    public string StockpileHit() => Result(_stockpile.GetOrCreateAsync(Key, 0, static (_, _) => new ValueTask<string>("made")));

    [BenchmarkCategory("string value"), Benchmark(Description = "Stockpile HybridCache GetOrCreateAsync hit")]
    public string StockpileHybridHit() => Result(_stockpileHybrid.GetOrCreateAsync(Key, s_factory));

    [BenchmarkCategory("mutable value"), Benchmark(Baseline = true, Description = "HybridCache (default) GetOrCreateAsync hit, Product (copied)")]
    public Product DefaultHybridProductHit() => Result(_defaultHybrid.GetOrCreateAsync(ProductKey, s_productFactory));

    [BenchmarkCategory("mutable value"), Benchmark(Description = "FusionCache GetOrSet hit, Product (not copied)")]
    public Product FusionProductHit() => _fusion.GetOrSet<Product>(ProductKey, static (_, _) => new Product());

    [BenchmarkCategory("mutable value"), Benchmark(Description = "Stockpile IStockpileCache.GetOrCreateAsync hit, Product (copied)")]
    public Product StockpileProductHit() => Result(_stockpile.GetOrCreateAsync(ProductKey, 0, static (_, _) => new ValueTask<Product>(new Product())));

    [BenchmarkCategory("mutable value"), Benchmark(Description = "Stockpile HybridCache GetOrCreateAsync hit, Product (copied)")]
    public Product StockpileHybridProductHit() => Result(_stockpileHybrid.GetOrCreateAsync(ProductKey, s_productFactory));

    private static T Result<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }
}
