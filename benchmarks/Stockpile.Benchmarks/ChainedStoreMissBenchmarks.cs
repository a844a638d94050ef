using BenchmarkDotNet.Attributes;

namespace Stockpile.Benchmarks;

/// <summary>
/// The chain's own cost on a read its memory tier misses and the tier below answers (issue 12, item 2: there, the tier
/// below is Redis): a chain of two memory stores, its top emptied before each block of <see cref="Block"/> reads,
/// against the lower store's own reads of the same products plus the same emptying. The lower store answers
/// synchronously, so the figure is the chain's work (coalescing, epochs, tier protocol, back-fill) without any wait.
/// </summary>
[MemoryDiagnoser]
public class ChainedStoreMissBenchmarks
{
    /// <summary>The reads per invocation.</summary>
    public const int Block = 100;

    private MemoryStore _top = null!;
    private MemoryStore _lower = null!;
    private ChainedStore _chain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _top = new MemoryStore();
        _lower = new MemoryStore();
        _chain = new ChainedStore([_top, _lower]);
        for (var i = 0; i < Block; i++)
        {
            _lower.PutAsync(new Product { Id = i, Sku = $"SKU-{i:D6}", Name = $"Product {i}", Price = i }).AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true, Description = "lower MemoryStore GetAsync<Product, int> (top emptied)", OperationsPerInvoke = Block)]
    public async Task<int> LowerAlone()
    {
        await _top.ClearAsync();
        var sum = 0;
        for (var id = 0; id < Block; id++)
        {
            sum += (await _lower.GetAsync<Product, int>(id))!.Id;
        }

        return sum;
    }

    [Benchmark(Description = "ChainedStore GetAsync<Product, int>, top miss, lower hit, back-fill", OperationsPerInvoke = Block)]
    public async Task<int> ChainMiss()
    {
        await _top.ClearAsync();
        var sum = 0;
        for (var id = 0; id < Block; id++)
        {
            sum += (await _chain.GetAsync<Product, int>(id))!.Id;
        }

        return sum;
    }
}
