using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;
using Stockpile.Internal.Caching;
using FrozenProduct = Stockpile.Benchmarks.Peers.PeerReadHitBenchmarks.FrozenProduct;

namespace Stockpile.Benchmarks;

/// <summary>
/// Issue 12, item 1, taken apart: what a memory hit of <see cref="StockpileCacheExtensions.GetOrCreateAsync{TState, T}"/> by
/// string key costs, part by part, beside <c>MemoryCache.TryGetValue</c> (the floor it is held to). The parts: a
/// string-keyed <see cref="ConcurrentDictionary{TKey, TValue}"/> probe (default comparer and
/// <see cref="StringComparer.Ordinal"/>, which keep .NET's non-randomized fast path, against a custom comparer, which
/// does not), the clocks, the copy of a flat mutable value, the memory tier's read and the whole call over a memory
/// tier alone and over memory layered on a shared tier (as over Redis). Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --filter '*CacheHitParts*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class CacheHitPartsBenchmarks
{
    private const string Key = "product:421";
    private const string FrozenKey = "frozen:421";
    private const string ForeverKey = "forever:421";
    private static readonly Product s_product = new() { Id = 421, Sku = "SKU-000421", Name = "Product 421", Price = 42.1m };
    private static readonly FrozenProduct s_frozen = new() { Id = 421, Sku = "SKU-000421", Name = "Product 421", Price = 42.1m };

    private readonly ConcurrentDictionary<string, object> _default = new();
    private readonly ConcurrentDictionary<string, object> _ordinal = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _custom = new(new CustomOrdinalComparer());
    private readonly Func<object, object> _copier = CacheValues.CopierOf(typeof(Product))!;
    private readonly CacheClock _clock = new(TimeProvider.System);
    private readonly string _key = string.Concat("product:", "421");
    private readonly string _frozenKey = string.Concat("frozen:", "421");
    private readonly string _foreverKey = string.Concat("forever:", "421");
    private MemoryCache _memoryCache = null!;
    private MemoryCacheTier _tier = null!;
    private StockpileCache _memory = null!;
    private StockpileCache _layered = null!;
#pragma warning disable CA1859 // The call through the interface (a generic virtual method) is what is measured.
    private IStockpileCache _layeredInterface = null!;
#pragma warning restore CA1859

    [GlobalSetup]
    public void Setup()
    {
        foreach (var dictionary in new[] { _default, _ordinal, _custom })
        {
            dictionary[Key] = s_product;
        }

        _memoryCache = new MemoryCache(new MemoryCacheOptions());
        _memoryCache.Set(Key, s_product, TimeSpan.FromHours(1));
        _memoryCache.Set(FrozenKey, s_frozen, TimeSpan.FromHours(1));
        var options = new StockpileCacheOptions { DefaultExpiration = TimeSpan.FromHours(1) };
        _memory = new StockpileCache(options, (clock, _, _) => _tier = new MemoryCacheTier(clock));
        _layered = new StockpileCache(options, static (clock, _, _) => new LayeredCacheTier(new MemoryCacheTier(clock), new MemoryCacheTier(clock)));
        _layeredInterface = _layered;
        foreach (var cache in new[] { _memory, _layered })
        {
            cache.SetAsync(Key, s_product).AsTask().GetAwaiter().GetResult();
            cache.SetAsync(FrozenKey, s_frozen).AsTask().GetAwaiter().GetResult();
            cache.SetForeverAsync(ForeverKey, s_frozen).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _memoryCache.Dispose();

    [Benchmark(Baseline = true, Description = "MemoryCache.TryGetValue (string key)")]
    public object? MemoryCacheHit() => _memoryCache.TryGetValue(_key, out Product? product) ? product : null;

    [Benchmark(Description = "MemoryCache.TryGetValue (string key), immutable")]
    public object? MemoryCacheFrozenHit() => _memoryCache.TryGetValue(_frozenKey, out FrozenProduct? product) ? product : null;

    [Benchmark(Description = "ConcurrentDictionary<string>, default comparer")]
    public object? DefaultComparer() => _default.TryGetValue(_key, out var value) ? value : null;

    [Benchmark(Description = "ConcurrentDictionary<string>, StringComparer.Ordinal")]
    public object? OrdinalComparerProbe() => _ordinal.TryGetValue(_key, out var value) ? value : null;

    [Benchmark(Description = "ConcurrentDictionary<string>, custom ordinal comparer")]
    public object? CustomComparer() => _custom.TryGetValue(_key, out var value) ? value : null;

    [Benchmark(Description = "Environment.TickCount64")]
    public long TickCount() => Environment.TickCount64;

    [Benchmark(Description = "clock_gettime(CLOCK_MONOTONIC_COARSE) straight into the vDSO (the clock's floor)")]
    public long VdsoCoarse() => VdsoCoarseClock.IsAvailable ? VdsoCoarseClock.Now() : 0;

    [Benchmark(Description = "Stopwatch.GetTimestamp (the exact clock, read only in a value's last CoarseMarginMilliseconds)")]
    public long ExactClock() => Stopwatch.GetTimestamp();

    [Benchmark(Description = "CacheClock.Now (system)")]
    public long CacheClockNow() => _clock.Now();

    [Benchmark(Description = "DateTimeOffset.UtcNow")]
    public DateTimeOffset UtcNow() => DateTimeOffset.UtcNow;

    [Benchmark(Description = "emitted copy of Product")]
    public object Copy() => _copier(s_product);

    [Benchmark(Description = "hand-written new Product { ... } (the copy's floor)")]
    public object HandWrittenCopy() => new Product { Id = s_product.Id, Sku = s_product.Sku, Name = s_product.Name, Price = s_product.Price };

    [Benchmark(Description = "RuntimeHelpers.GetUninitializedObject(typeof(Product))")]
    public object Uninitialized() => RuntimeHelpers.GetUninitializedObject(typeof(Product));

    [Benchmark(Description = "MemoryCacheTier.Get")]
    public object? TierGet() => _tier.Get(_key);

    [Benchmark(Description = "MemoryCacheTier.Get, a value that never expires (no clock read)")]
    public object? TierGetForever() => _tier.Get(_foreverKey);

    [Benchmark(Description = "StockpileCache (memory) GetOrCreateAsync, Product (copied)")]
    public object? MemoryProduct() => Result(_memory.GetOrCreateAsync(_key, 0, static (_, _) => new ValueTask<Product>(new Product())));

    [Benchmark(Description = "StockpileCache (memory) GetOrCreateAsync, immutable")]
    public object? MemoryFrozen() => Result(_memory.GetOrCreateAsync(_frozenKey, 0, static (_, _) => new ValueTask<FrozenProduct>(new FrozenProduct())));

    [Benchmark(Description = "StockpileCache (layered) GetOrCreateAsync, Product (copied)")]
    public object? LayeredProduct() => Result(_layered.GetOrCreateAsync(_key, 0, static (_, _) => new ValueTask<Product>(new Product())));

    [Benchmark(Description = "StockpileCache (layered) GetOrCreateAsync, immutable")]
    public object? LayeredFrozen() => Result(_layered.GetOrCreateAsync(_frozenKey, 0, static (_, _) => new ValueTask<FrozenProduct>(new FrozenProduct())));

    [Benchmark(Description = "StockpileCache (layered) GetOrCreateAsync, immutable, never expires")]
    public object? LayeredForever() => Result(_layered.GetOrCreateAsync(_foreverKey, 0, static (_, _) => new ValueTask<FrozenProduct>(new FrozenProduct())));

    [Benchmark(Description = "IStockpileCache (layered) GetOrCreateAsync, immutable")]
    public object? InterfaceFrozen() => Result(_layeredInterface.GetOrCreateAsync(_frozenKey, 0, static (_, _) => new ValueTask<FrozenProduct>(new FrozenProduct())));

    [Benchmark(Description = "IStockpileCache (layered) GetOrCreateAsync, immutable, never expires")]
    public object? InterfaceForever() => Result(_layeredInterface.GetOrCreateAsync(_foreverKey, 0, static (_, _) => new ValueTask<FrozenProduct>(new FrozenProduct())));

    [Benchmark(Description = "IStockpileCache (layered) TryGetLocal, immutable")]
    public object? InterfaceTryGetLocal() => _layeredInterface.TryGetLocal(_frozenKey, out var value) ? value : null;

    [Benchmark(Description = "IStockpileCache (layered) GetAsync, immutable")]
    public object? InterfaceGetFrozen() => Result(_layeredInterface.GetAsync<FrozenProduct>(_frozenKey));

    private static T Result<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private sealed class CustomOrdinalComparer : IEqualityComparer<string>
    {
        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string obj) => StringComparer.Ordinal.GetHashCode(obj);
    }
}
