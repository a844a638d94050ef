using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Benchmarks;

/// <summary>
/// Issue 11: a <c>Cached()</c> query answered by the memory cache against the same query run on SQLite (no tracking,
/// the same long-lived context kind): a page of 20 of the 1,000 products (filter on price, order by name), and a count.
/// </summary>
[MemoryDiagnoser]
public class CachedQueryBenchmarks
{
    private BenchDatabase _database = null!;
    private ServiceProvider _services = null!;
    private BenchDbContext _plain = null!;
    private BenchDbContext _cached = null!;
    private decimal _min = 100;

    [GlobalSetup]
    public async Task Setup()
    {
        _database = new BenchDatabase();
        var services = new ServiceCollection();
        services.AddDbContextFactory<BenchDbContext>((sp, o) => o.UseSqlite(_database.ConnectionString).AddStockpileInterceptor(sp));
        services.AddStockpile().AddMemoryStore().AddCache().AddEfCoreStore<BenchDbContext>();
        _services = services.BuildServiceProvider();
        _plain = new BenchDbContext(_database.Options());
        _cached = await _services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync();

        // Warm: the first run of each cached query reads the database and stores its result.
        _ = await CachedPage();
        _ = await CachedCount();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _plain.DisposeAsync();
        await _cached.DisposeAsync();
        await _services.DisposeAsync();
        _database.Dispose();
    }

    [Benchmark(Baseline = true, Description = "page of 20 on SQLite (AsNoTracking)")]
    [BenchmarkCategory("page")]
    public Task<List<Product>> SqlitePage() =>
        _plain.Products.AsNoTracking().Where(p => p.Price >= _min && p.Price < _min + 500).OrderBy(p => p.Name).Take(20).ToListAsync();

    [Benchmark(Description = "page of 20, Cached() memory hit")]
    [BenchmarkCategory("page")]
    public Task<List<Product>> CachedPage() =>
        _cached.Products.Where(p => p.Price >= _min && p.Price < _min + 500).OrderBy(p => p.Name).Take(20).Cached().ToListAsync();

    [Benchmark(Description = "count on SQLite")]
    [BenchmarkCategory("count")]
    public Task<int> SqliteCount() => _plain.Products.CountAsync(p => p.Price >= _min);

    [Benchmark(Description = "count, Cached() memory hit")]
    [BenchmarkCategory("count")]
    public Task<int> CachedCount() => _cached.Products.Where(p => p.Price >= _min).Cached().CountAsync();
}
