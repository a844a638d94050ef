using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Testing.Servers;

namespace Stockpile.Benchmarks;

/// <summary>
/// <c>SaveChanges</c> of 100 updated rows (loaded tracked, one column changed), plain against the same save with the
/// Stockpile interceptor keeping a memory + Redis chain in sync (Evict, WriteThrough). Redis is a private redis-server
/// on loopback, started for the run.
/// </summary>
[MemoryDiagnoser]
public class EfCoreSaveBenchmarks
{
    private const int Rows = 100;

    private BenchDatabase _database = null!;
    private RedisServer _redis = null!;
    private DbContextOptions<BenchDbContext> _plain = null!;
    private ServiceProvider _evict = null!;
    private ServiceProvider _writeThrough = null!;
    private ServiceProvider _memoryOnly = null!;
    private int _round;

    [GlobalSetup]
    public async Task Setup()
    {
        _database = new BenchDatabase();
        _redis = await RedisServer.StartAsync();
        _plain = _database.Options();
        _evict = Services(StockpileCommitPolicy.Evict);
        _writeThrough = Services(StockpileCommitPolicy.WriteThrough);
        _memoryOnly = Services(StockpileCommitPolicy.Evict, redis: false);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _evict.DisposeAsync();
        await _writeThrough.DisposeAsync();
        await _memoryOnly.DisposeAsync();
        await _redis.DisposeAsync();
        _database.Dispose();
    }

    private ServiceProvider Services(StockpileCommitPolicy policy, bool redis = true)
    {
        var services = new ServiceCollection();
        services.AddPooledDbContextFactory<BenchDbContext>((sp, o) => o.UseSqlite(_database.ConnectionString).AddStockpileInterceptor(sp));
        var stockpile = services.AddStockpile().AddMemoryStore();
        if (redis)
        {
            stockpile.AddRedisStore(o =>
            {
                o.Configuration = _redis.ConnectionString;
                o.KeyPrefix = $"bench-{policy}:";
            });
        }

        stockpile.AddEfCoreStore<BenchDbContext>(configureInterceptor: o => o.DefaultPolicy = policy);
        return services.BuildServiceProvider();
    }

    private async Task<int> UpdateAsync(BenchDbContext context)
    {
        var round = ++_round;
        var rows = await context.Products.Where(p => p.Id < Rows).ToListAsync();
        foreach (var row in rows)
        {
            row.Name = $"Product {row.Id} r{round}";
        }

        return await context.SaveChangesAsync();
    }

    [Benchmark(Baseline = true, Description = "plain SaveChanges, 100 rows")]
    public async Task<int> Plain()
    {
        await using var context = new BenchDbContext(_plain);
        return await UpdateAsync(context);
    }

    [Benchmark(Description = "with memory + Redis chain, Evict")]
    public async Task<int> Evict()
    {
        await using var context = await _evict.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync();
        return await UpdateAsync(context);
    }

    [Benchmark(Description = "with a memory-only chain, Evict")]
    public async Task<int> MemoryOnlyEvict()
    {
        await using var context = await _memoryOnly.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync();
        return await UpdateAsync(context);
    }

    [Benchmark(Description = "with memory + Redis chain, WriteThrough")]
    public async Task<int> WriteThrough()
    {
        await using var context = await _writeThrough.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync();
        return await UpdateAsync(context);
    }
}
