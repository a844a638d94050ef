using BenchmarkDotNet.Attributes;

namespace Stockpile.Benchmarks;

/// <summary>
/// A chain hit from its memory tier against the memory store alone, side by side: by primary key and by alternate
/// key. The goals (issue 8): the chain within 1.15x of the memory store by primary key and 1.3x by alternate key,
/// both allocating nothing.
/// </summary>
[MemoryDiagnoser]
public class ChainedStoreBenchmarks
{
    private const int Count = 1_000;
    private const int HitId = 421;
    private static readonly TimeSpan s_lifetime = TimeSpan.FromMinutes(30);

    private MemoryStore _memory = null!;
    private ChainedStore _chain = null!;
    private EntityKey _bySku = null!;

    [GlobalSetup]
    public void Setup()
    {
        var products = Enumerable.Range(0, Count).Select(i => new Product { Id = i, Sku = $"SKU-{i:D6}", Name = $"Product {i}", Price = i }).ToArray();
        _memory = new MemoryStore(new MemoryStoreOptions { DefaultLifetime = s_lifetime });
        _chain = new ChainedStore([new MemoryStore(new MemoryStoreOptions { DefaultLifetime = s_lifetime }), new MemoryStore()]);
        foreach (var product in products)
        {
            _memory.PutAsync(product).AsTask().GetAwaiter().GetResult();
            _chain.PutAsync(product).AsTask().GetAwaiter().GetResult();
        }

        _bySku = EntityKey.Of<Product>(nameof(Product.Sku), products[HitId].Sku);
    }

    [Benchmark(Baseline = true, Description = "MemoryStore hit by primary key")]
    public Product? MemoryByPrimaryKey() => Result(_memory.GetAsync<Product, int>(HitId));

    [Benchmark(Description = "ChainedStore hit by primary key")]
    public Product? ChainByPrimaryKey() => Result(_chain.GetAsync<Product, int>(HitId));

    [Benchmark(Description = "MemoryStore hit by alternate key")]
    public Product? MemoryByAlternateKey() => Result(_memory.GetAsync<Product>(_bySku));

    [Benchmark(Description = "ChainedStore hit by alternate key")]
    public Product? ChainByAlternateKey() => Result(_chain.GetAsync<Product>(_bySku));

    private static T? Result<T>(ValueTask<T?> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
