using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 8: <c>SaveChanges</c> of 100 modified rows (loaded tracked, one column changed; pooled contexts on
/// every side) without any cache, against the same save with Stockpile's interceptor keeping a memory + Redis chain
/// and the backplane in sync (Evict, and WriteThrough), and against what a FusionCache or HybridCache user writes after
/// the same save: remove the 100 keys (FusionCache: memory, Redis and its backplane; HybridCache: memory and Redis).
/// One private redis-server, the benchmark's SQLite file. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --filter '*PeerSaveBenchmarks*' --job short --inProcess --iterationCount 10 --invocationCount 8 --unrollFactor 1</c>.
/// </summary>
[MemoryDiagnoser]
public class PeerSaveBenchmarks
{
    private const int Rows = 100;

    private PeerBServers _servers = null!;
    private PooledDbContextFactory<BenchDbContext> _plain = null!;
    private PeerBStockpile _evict = null!;
    private PeerBStockpile _evictBehind = null!;
    private PeerBStockpile _writeThrough = null!;
    private FusionCache _fusion = null!;
    private ServiceProvider _hybridServices = null!;
    private HybridCache _hybrid = null!;
    private string[] _keys = null!;
    private EntityKey[] _entityKeys = null!;
    private int _round;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _servers = await PeerBServers.StartAsync();
        _plain = new PooledDbContextFactory<BenchDbContext>(_servers.Database.Options());
        _evict = PeerBStockpile.Create(_servers, "save-evict:", StockpileCommitPolicy.Evict, backplane: true, cache: false);
        _evictBehind = PeerBStockpile.Create(_servers, "save-behind:", StockpileCommitPolicy.Evict, backplane: true, cache: false, evictInBackground: true);
        _writeThrough = PeerBStockpile.Create(_servers, "save-write:", StockpileCommitPolicy.WriteThrough, backplane: true, cache: false);
        _fusion = PeerBFusion.Create(_servers, "fc-save");
        _hybridServices = PeerBHybrid.Create(_servers, "hc-save");
        _hybrid = _hybridServices.GetRequiredService<HybridCache>();
        _keys = [.. Enumerable.Range(0, Rows).Select(PeerBQueries.Key)];
        var products = await _plain.CreateDbContext().Products.AsNoTracking().Where(p => p.Id < Rows).ToListAsync();
        _entityKeys = [.. products.SelectMany(static p => new[] { EntityKey.For<Product>(p.Id), EntityKey.Of<Product>(nameof(Product.Sku), p.Sku) })];
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _fusion.Dispose();
        await _hybridServices.DisposeAsync();
        await _writeThrough.DisposeAsync();
        await _evict.DisposeAsync();
        await _evictBehind.DisposeAsync();
        await _servers.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "plain SaveChanges, 100 rows, no cache")]
    public async Task<int> Plain()
    {
        await using var context = await _plain.CreateDbContextAsync();
        return await SaveAsync(context);
    }

    [Benchmark(Description = "Stockpile interceptor, memory + Redis chain + backplane, Evict")]
    public async Task<int> StockpileEvict()
    {
        await using var context = await _evict.Contexts.CreateDbContextAsync();
        return await SaveAsync(context);
    }

    [Benchmark(Description = "Stockpile interceptor, memory + Redis chain + backplane, Evict, Redis evicted in the background")]
    public async Task<int> StockpileEvictInBackground()
    {
        await using var context = await _evictBehind.Contexts.CreateDbContextAsync();
        return await SaveAsync(context);
    }

    [Benchmark(Description = "Stockpile interceptor, memory + Redis chain + backplane, WriteThrough")]
    public async Task<int> StockpileWriteThrough()
    {
        await using var context = await _writeThrough.Contexts.CreateDbContextAsync();
        return await SaveAsync(context);
    }

    [Benchmark(Description = "Stockpile without the interceptor: SaveChanges, then the chain's InvalidateAsync of the 200 keys (Id and Sku)")]
    public async Task<int> StockpileInvalidateByHand()
    {
        await using var context = await _plain.CreateDbContextAsync();
        var saved = await SaveAsync(context);
        await _evict.Chain.InvalidateAsync(_entityKeys);
        return saved;
    }

    [Benchmark(Description = "FusionCache: SaveChanges, then RemoveAsync of the 100 keys")]
    public async Task<int> FusionRemove()
    {
        await using var context = await _plain.CreateDbContextAsync();
        var saved = await SaveAsync(context);
        foreach (var key in _keys)
        {
            await _fusion.RemoveAsync(key);
        }

        return saved;
    }

    [Benchmark(Description = "HybridCache: SaveChanges, then RemoveAsync of the 100 keys")]
    public async Task<int> HybridRemove()
    {
        await using var context = await _plain.CreateDbContextAsync();
        var saved = await SaveAsync(context);
        await _hybrid.RemoveAsync(_keys);
        return saved;
    }

    private async Task<int> SaveAsync(BenchDbContext context)
    {
        var round = ++_round;
        var rows = await context.Products.Where(p => p.Id < Rows).ToListAsync();
        foreach (var row in rows)
        {
            row.Name = $"Product {row.Id} s{round}";
        }

        return await context.SaveChangesAsync();
    }
}
