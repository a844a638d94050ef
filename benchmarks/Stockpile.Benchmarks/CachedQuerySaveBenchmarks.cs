using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Benchmarks;

/// <summary>
/// Issue 11: <c>SaveChanges</c> of 100 updated rows (pooled contexts both) without Stockpile against the same save with the interceptor and
/// query caching on (a memory chain and a memory cache holding a cached query of the table, so each commit removes the
/// table's tag): the interceptor's extra work per save.
/// </summary>
[MemoryDiagnoser]
public class CachedQuerySaveBenchmarks
{
    private const int Rows = 100;

    private BenchDatabase _database = null!;
    private PooledDbContextFactory<BenchDbContext> _plain = null!;
    private ServiceProvider _services = null!;
    private int _round;

    [GlobalSetup]
    public async Task Setup()
    {
        _database = new BenchDatabase();
        _plain = new PooledDbContextFactory<BenchDbContext>(_database.Options());
        var services = new ServiceCollection();
        services.AddPooledDbContextFactory<BenchDbContext>((sp, o) => o.UseSqlite(_database.ConnectionString).AddStockpileInterceptor(sp));
        services.AddStockpile().AddMemoryStore().AddCache().AddEfCoreStore<BenchDbContext>();
        _services = services.BuildServiceProvider();
        await using var context = await _services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync();
        _ = await context.Products.Where(p => p.Id < Rows).Cached().CountAsync();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _services.DisposeAsync();
        _database.Dispose();
    }

    private async Task<int> UpdateAsync(BenchDbContext context)
    {
        var round = ++_round;
        var rows = await context.Products.Where(p => p.Id < Rows).ToListAsync();
        foreach (var row in rows)
        {
            row.Name = $"Product {row.Id} q{round}";
        }

        return await context.SaveChangesAsync();
    }

    [Benchmark(Baseline = true, Description = "plain SaveChanges, 100 rows")]
    public async Task<int> Plain()
    {
        await using var context = await _plain.CreateDbContextAsync();
        return await UpdateAsync(context);
    }

    [Benchmark(Description = "with the interceptor, memory chain and query caching")]
    public async Task<int> WithQueryCaching()
    {
        await using var context = await _services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync();
        return await UpdateAsync(context);
    }
}
