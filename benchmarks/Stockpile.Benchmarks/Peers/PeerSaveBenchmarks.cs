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
    private int[] _ids = null!;
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
        _ids = [.. products.Select(static p => p.Id)];
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

    /// <summary>
    /// Gets what caches the 100 rows a side's next save changes, in its memory and its Redis, as readers would have
    /// before a save in production (the <c>cached</c> option of <see cref="PeerSaveRun"/>): so the side's eviction
    /// (or write) finds every row, where without it the rows were never read through the cache. <see langword="null"/>
    /// for the side without a cache.
    /// </summary>
    /// <param name="benchmark">The side's benchmark method's name.</param>
    internal Func<Task>? CacheRowsBefore(string benchmark) => benchmark switch
    {
        nameof(StockpileEvict) or nameof(StockpileInvalidateByHand) => () => CacheRowsAsync(_evict),
        nameof(StockpileEvictInBackground) => () => CacheRowsAsync(_evictBehind),
        nameof(StockpileWriteThrough) => () => CacheRowsAsync(_writeThrough),
        nameof(FusionRemove) => CacheRowsInFusionAsync,
        nameof(HybridRemove) => CacheRowsInHybridAsync,
        _ => null,
    };

    /// <summary>Reads the rows through the chain (the database fills memory and Redis), then checks that Redis holds every one.</summary>
    private async Task CacheRowsAsync(PeerBStockpile side)
    {
        // The last save's eviction may still run behind it (the default): while it does, reads of its rows skip Redis
        // and fill no tier, so it must end before the rows are read in.
        if (!await side.Chain.SettleAsync(CancellationToken.None))
        {
            throw new InvalidOperationException("The last save's eviction behind it did not end.");
        }

        await side.Chain.GetManyAsync<Product, int>(_ids);
        if (!await side.Chain.SettleAsync(CancellationToken.None))
        {
            throw new InvalidOperationException("The chain's Redis back-fill of the rows did not end.");
        }

        var inRedis = await side.Services.GetRequiredService<RedisStore>().GetManyAsync<Product, int>(_ids);
        var inMemory = await side.Services.GetRequiredService<MemoryStore>().GetManyAsync<Product, int>(_ids);
        if (inRedis.Any(static p => p is null) || inMemory.Any(static p => p is null))
        {
            throw new InvalidOperationException($"Rows not cached before the save: {inMemory.Count(static p => p is null)} missing in memory, {inRedis.Count(static p => p is null)} in Redis.");
        }
    }

    private async Task CacheRowsInFusionAsync()
    {
        foreach (var id in _ids)
        {
            await _fusion.GetOrSetAsync<Product?>(PeerBQueries.Key(id), (_, ct) => PeerBQueries.ByIdAsync(_plain, id, ct));
        }
    }

    private async Task CacheRowsInHybridAsync()
    {
        foreach (var id in _ids)
        {
            await _hybrid.GetOrCreateAsync(PeerBQueries.Key(id), id, (i, ct) => new ValueTask<Product?>(PeerBQueries.ByIdAsync(_plain, i, ct)));
        }
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
