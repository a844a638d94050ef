using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Stockpile.Benchmarks;

/// <summary>
/// The EF Core tier's reads against what a developer would write by hand on the same SQLite file: a miss (one row by
/// primary key) against a compiled no-tracking query on a reused context, and a batch of 100 against a no-tracking
/// <c>Where(ids.Contains(id))</c> on a reused context. The store takes a context per operation from its factory,
/// pooled (the documented set-up) or not.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EfCoreStoreBenchmarks
{
    private static readonly Func<BenchDbContext, int, Task<Product?>> s_byId =
        EF.CompileAsyncQuery((BenchDbContext context, int id) => context.Products.AsNoTracking().FirstOrDefault(p => p.Id == id));

    private BenchDatabase _database = null!;
    private BenchDbContext _reused = null!;
    private EfCoreStore<BenchDbContext> _pooled = null!;
    private EfCoreStore<BenchDbContext> _unpooled = null!;
    private int[] _batch = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _database = new BenchDatabase();
        _reused = new BenchDbContext(_database.Options());
        _pooled = new EfCoreStore<BenchDbContext>(new PooledDbContextFactory<BenchDbContext>(_database.Options()));
        _unpooled = new EfCoreStore<BenchDbContext>(new UnpooledFactory(_database.Options()));
        _batch = [.. Enumerable.Range(200, 100)];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reused.Dispose();
        _database.Dispose();
    }

    private int NextId() => _next = (_next + 7) % BenchDatabase.Count;

    [BenchmarkCategory("miss"), Benchmark(Baseline = true, Description = "compiled no-tracking query, reused context")]
    public Task<Product?> CompiledQuery() => s_byId(_reused, NextId());

    [BenchmarkCategory("miss"), Benchmark(Description = "EfCoreStore.GetAsync, pooled contexts")]
    public ValueTask<Product?> StorePooled() => _pooled.GetAsync<Product, int>(NextId());

    [BenchmarkCategory("miss"), Benchmark(Description = "EfCoreStore.GetAsync, a new context per read")]
    public ValueTask<Product?> StoreUnpooled() => _unpooled.GetAsync<Product, int>(NextId());

    [BenchmarkCategory("batch of 100"), Benchmark(Baseline = true, Description = "no-tracking Where(ids.Contains(id)), reused context")]
    public Task<List<Product>> HandWrittenContains() => _reused.Products.AsNoTracking().Where(p => _batch.Contains(p.Id)).ToListAsync();

    [BenchmarkCategory("batch of 100"), Benchmark(Description = "EfCoreStore.GetManyAsync, pooled contexts")]
    public ValueTask<IReadOnlyList<Product?>> StoreBatchPooled() => _pooled.GetManyAsync<Product, int>(_batch);

    private sealed class UnpooledFactory(DbContextOptions<BenchDbContext> options) : IDbContextFactory<BenchDbContext>
    {
        public BenchDbContext CreateDbContext() => new(options);
    }
}
