using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace Stockpile.Benchmarks;

/// <summary>
/// A memory hit of get-or-create with a prebuilt string key: Stockpile's cache (directly and through its HybridCache)
/// against the default HybridCache and FusionCache, each holding the same value under the same key.
/// </summary>
[MemoryDiagnoser]
public class CacheBenchmarks
{
    private const string Key = "product:421";
    private static readonly Func<CancellationToken, ValueTask<string>> s_factory = static _ => new ValueTask<string>("made");

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
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fusion.Dispose();
        _defaultHybridProvider.Dispose();
        _stockpileProvider.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HybridCache (default) GetOrCreateAsync hit")]
    public string DefaultHybridHit() => Result(_defaultHybrid.GetOrCreateAsync(Key, s_factory));

    [Benchmark(Description = "FusionCache GetOrSetAsync hit")]
    public string FusionHit() => Result(_fusion.GetOrSetAsync<string>(Key, static (_, _) => Task.FromResult("made")));

    [Benchmark(Description = "Stockpile IStockpileCache.GetOrCreateAsync hit")]
    public string StockpileHit() => Result(_stockpile.GetOrCreateAsync(Key, 0, static (_, _) => new ValueTask<string>("made")));

    [Benchmark(Description = "Stockpile HybridCache GetOrCreateAsync hit")]
    public string StockpileHybridHit() => Result(_stockpileHybrid.GetOrCreateAsync(Key, s_factory));

    private static T Result<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }
}
