using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Benchmarks;

/// <summary>
/// Issue 11: a <c>Cached()</c> query and a compiled cached query (<see cref="StockpileQuery"/>) answered by the memory
/// cache, against the same query run on SQLite (no tracking, the same long-lived context kind), and EF Core's own
/// compiled query on SQLite as an extra peer: a page of 20 of the 1,000 products (filter on price, order by name), and a count.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class CachedQueryBenchmarks
{
    private BenchDatabase _database = null!;
    private ServiceProvider _services = null!;
    private BenchDbContext _plain = null!;
    private BenchDbContext _cached = null!;
    // The compiled forms take the upper bound as a parameter: `min + 500` inside a compiled query is sent as SQL
    // arithmetic, which SQLite runs on decimals (stored as text) through a function per row; the LINQ form evaluates it
    // on the client. Taking it as a parameter sends the same SQL as the LINQ form.
    private static readonly Func<BenchDbContext, decimal, decimal, CancellationToken, Task<List<Product>>> s_cachedPage =
        StockpileQuery.CompileAsyncQuery((BenchDbContext db, decimal min, decimal max) => db.Products.Where(p => p.Price >= min && p.Price < max).OrderBy(p => p.Name).Take(20));

    private static readonly Func<BenchDbContext, decimal, CancellationToken, Task<int>> s_cachedCount =
        StockpileQuery.CompileAsyncScalarQuery((BenchDbContext db, decimal min) => db.Products.Count(p => p.Price >= min));

    private static readonly Func<BenchDbContext, decimal, decimal, IAsyncEnumerable<Product>> s_efPage =
        EF.CompileAsyncQuery((BenchDbContext db, decimal min, decimal max) => db.Products.AsNoTracking().Where(p => p.Price >= min && p.Price < max).OrderBy(p => p.Name).Take(20));

    private static readonly Func<BenchDbContext, decimal, CancellationToken, Task<int>> s_efCount =
        EF.CompileAsyncQuery((BenchDbContext db, decimal min, CancellationToken ct) => db.Products.Count(p => p.Price >= min));

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
        _ = await CompiledCachedPage();
        _ = await CompiledCachedCount();
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

    [Benchmark(Description = "page of 20, compiled cached query, memory hit")]
    [BenchmarkCategory("page")]
    public Task<List<Product>> CompiledCachedPage() => s_cachedPage(_cached, _min, _min + 500, CancellationToken.None);

    [Benchmark(Description = "page of 20, EF Core compiled query on SQLite (no cache)")]
    [BenchmarkCategory("page")]
    public async Task<List<Product>> EfCompiledPage()
    {
        var list = new List<Product>();
        await foreach (var product in s_efPage(_plain, _min, _min + 500))
        {
            list.Add(product);
        }

        return list;
    }

    [Benchmark(Baseline = true, Description = "count on SQLite")]
    [BenchmarkCategory("count")]
    public Task<int> SqliteCount() => _plain.Products.CountAsync(p => p.Price >= _min);

    [Benchmark(Description = "count, Cached() memory hit")]
    [BenchmarkCategory("count")]
    public Task<int> CachedCount() => _cached.Products.Where(p => p.Price >= _min).Cached().CountAsync();

    [Benchmark(Description = "count, compiled cached query, memory hit")]
    [BenchmarkCategory("count")]
    public Task<int> CompiledCachedCount() => s_cachedCount(_cached, _min, CancellationToken.None);

    [Benchmark(Description = "count, EF Core compiled query on SQLite (no cache)")]
    [BenchmarkCategory("count")]
    public Task<int> EfCompiledCount() => s_efCount(_plain, _min, CancellationToken.None);
}
