using BenchmarkDotNet.Attributes;

namespace Stockpile.Benchmarks;

/// <summary>
/// What entity tags cost (issue 10): a chain hit from its memory tier and a memory put (replace) for a type without
/// tags against the same type with a tag, side by side; and removing a tag that 100 of 1,000 tagged entities carry
/// (the 100 put back first, in both the removal and its baseline). The goals: reads cost the same with or without tags
/// (the tag index is kept on writes; reads never look at it), and a type without tags pays nothing on writes either.
/// </summary>
[MemoryDiagnoser]
public class EntityTagBenchmarks
{
    private const int Count = 1_000;
    private const int Tenants = 10;
    private const int HitId = 421;
    private static readonly TimeSpan s_lifetime = TimeSpan.FromMinutes(30);

    private ChainedStore _chain = null!;
    private MemoryStore _memory = null!;
    private Product _product = null!;
    private TenantProduct _tenantProduct = null!;
    private TenantProduct[] _tenantZero = null!;

    [GlobalSetup]
    public void Setup()
    {
        _chain = new ChainedStore([new MemoryStore(new MemoryStoreOptions { DefaultLifetime = s_lifetime }), new MemoryStore()]);
        _memory = new MemoryStore(new MemoryStoreOptions { DefaultLifetime = s_lifetime });
        var tagged = Enumerable.Range(0, Count).Select(i => new TenantProduct { Id = i, Sku = $"SKU-{i:D6}", TenantId = i % Tenants, Name = $"Product {i}", Price = i }).ToArray();
        foreach (var product in tagged)
        {
            var plain = new Product { Id = product.Id, Sku = product.Sku, Name = product.Name, Price = product.Price };
            Wait(_chain.PutAsync(plain));
            Wait(_chain.PutAsync(product));
            Wait(_memory.PutAsync(plain));
            Wait(_memory.PutAsync(product));
        }

        _product = new Product { Id = HitId, Sku = tagged[HitId].Sku, Name = "replaced", Price = 1 };
        _tenantProduct = new TenantProduct { Id = HitId, Sku = tagged[HitId].Sku, TenantId = tagged[HitId].TenantId, Name = "replaced", Price = 1 };
        _tenantZero = [.. tagged.Where(static p => p.TenantId == 0)];
    }

    [Benchmark(Baseline = true, Description = "ChainedStore hit, type without tags")]
    public Product? ChainHitUntagged() => Result(_chain.GetAsync<Product, int>(HitId));

    [Benchmark(Description = "ChainedStore hit, tagged type")]
    public TenantProduct? ChainHitTagged() => Result(_chain.GetAsync<TenantProduct, int>(HitId));

    [Benchmark(Description = "MemoryStore put (replace), type without tags")]
    public void PutUntagged() => Wait(_memory.PutAsync(_product));

    [Benchmark(Description = "MemoryStore put (replace), tagged type")]
    public void PutTagged() => Wait(_memory.PutAsync(_tenantProduct));

    [Benchmark(Description = "MemoryStore put 100 tagged (replace)")]
    public void PutHundredTagged() => Wait(_memory.PutManyAsync(_tenantZero));

    [Benchmark(Description = "MemoryStore put 100 tagged, then remove their tag")]
    public void PutHundredTaggedThenRemoveTag()
    {
        Wait(_memory.PutManyAsync(_tenantZero));
        Wait(_memory.RemoveByTagAsync("tenant:0"));
    }

    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    private static T? Result<T>(ValueTask<T?> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
