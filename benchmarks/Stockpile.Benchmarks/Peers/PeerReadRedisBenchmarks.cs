using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 2: a miss served from Redis (the memory level empty, the value in Redis), Stockpile against FusionCache
/// and HybridCache with Redis (<see cref="PeerSetup"/>). Each invocation empties the library's memory level, then reads
/// <see cref="Block"/> different products one after another: every read is a real memory miss and Redis hit (and a
/// back-fill of memory), with no <c>[IterationSetup]</c>; the cost of emptying memory (a dictionary clear) is shared by the
/// block and is part of every figure. Redis keeps every value for the whole run; any query the run makes fails it (the
/// peers' factories throw, and <see cref="CleanupAsync"/> checks the database saw no query). Target: Stockpile ≤ 1.1x
/// each peer. The floor is a bare <c>StringGetAsync</c> plus <see cref="JsonSerializer"/> of the same product.
/// </summary>
[MemoryDiagnoser]
public class PeerReadRedisBenchmarks
{
    /// <summary>The reads per invocation.</summary>
    public const int Block = 100;

    private PeerSetup _setup = null!;
    private IDatabase _bare = null!;
    private string[] _keys = null!;
    private RedisKey[] _bareKeys = null!;
    private long _queries;

    /// <summary>Gets the libraries under test (for <see cref="PeerChainReadBreakdownRun"/>).</summary>
    internal PeerSetup Setup => _setup;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _setup = await PeerSetup.StartAsync();
        _keys = [.. Enumerable.Range(0, Block).Select(PeerSetup.KeyOf)];
        _bareKeys = [.. Enumerable.Range(0, Block).Select(static id => (RedisKey)("bare:" + id))];
        var bare = await ConnectionMultiplexer.ConnectAsync(_setup.Redis.ConnectionString);
        _bare = bare.GetDatabase();
        for (var id = 0; id < Block; id++)
        {
            var product = await _setup.LoadAsync(id, default);
            await _setup.Chain.GetAsync<Product, int>(id);
            await _setup.Cache.SetAsync(_keys[id], product);
            await _setup.Fusion.SetAsync(_keys[id], product);
            await _setup.Hybrid.SetAsync(_keys[id], product);
            await _bare.StringSetAsync(_bareKeys[id], JsonSerializer.SerializeToUtf8Bytes(product));
        }

        foreach (var database in (int[])[PeerSetup.StockpileDatabase, PeerSetup.FusionDatabase, PeerSetup.HybridDatabase])
        {
            if (await _setup.KeysAsync(database) < Block)
            {
                throw new InvalidOperationException($"Redis database {database} holds fewer than {Block} keys after the warm-up.");
            }
        }

        await _setup.ExpectQueriesAsync(nameof(StockpileChain), StockpileChain, 0);
        await _setup.ExpectQueriesAsync(nameof(StockpileCache), StockpileCache, 0);
        await _setup.ExpectQueriesAsync(nameof(FusionCache), FusionCache, 0);
        await _setup.ExpectQueriesAsync(nameof(HybridCache), HybridCache, 0);
        _queries = _setup.Queries;
        if (await _setup.ChainMemory.GetAsync<Product, int>(Block - 1) is null)
        {
            throw new InvalidOperationException("The chain's read from Redis did not back-fill its memory tier.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        var queries = _setup.Queries - _queries;
        await _bare.Multiplexer.DisposeAsync();
        await _setup.DisposeAsync();
        if (queries != 0)
        {
            throw new InvalidOperationException($"{queries} database queries ran during a benchmark of reads served from Redis.");
        }
    }

    [Benchmark(Description = "floor: StringGetAsync + deserialize", OperationsPerInvoke = Block)]
    public async Task<int> BareRedis()
    {
        var sum = 0;
        foreach (var key in _bareKeys)
        {
            sum += JsonSerializer.Deserialize<Product>((byte[])(await _bare.StringGetAsync(key))!)!.Id;
        }

        return sum;
    }

    [Benchmark(Description = "Stockpile chain GetAsync<Product, int> (memory → Redis → EF Core)", OperationsPerInvoke = Block)]
    public async Task<int> StockpileChain()
    {
        await _setup.ChainMemory.ClearAsync();
        var sum = 0;
        for (var id = 0; id < Block; id++)
        {
            sum += (await _setup.Chain.GetAsync<Product, int>(id))!.Id;
        }

        return sum;
    }

    [Benchmark(Description = "Stockpile IStockpileCache.GetOrCreateAsync (memory over Redis)", OperationsPerInvoke = Block)]
    public async Task<int> StockpileCache()
    {
        _setup.CacheMemory.Clear();
        var sum = 0;
        foreach (var key in _keys)
        {
            sum += (await _setup.Cache.GetOrCreateAsync(key, 0, static (_, _) => ValueTask.FromException<Product>(Unexpected()))).Id;
        }

        return sum;
    }

    [Benchmark(Baseline = true, Description = "FusionCache GetOrSetAsync (L1 + Redis L2 + backplane)", OperationsPerInvoke = Block)]
    public async Task<int> FusionCache()
    {
        _setup.FusionMemory.Clear();
        var sum = 0;
        foreach (var key in _keys)
        {
            sum += (await _setup.Fusion.GetOrSetAsync<Product>(key, static (_, _) => Task.FromException<Product>(Unexpected()))).Id;
        }

        return sum;
    }

    [Benchmark(Description = "HybridCache GetOrCreateAsync (L1 + Redis IDistributedCache)", OperationsPerInvoke = Block)]
    public async Task<int> HybridCache()
    {
        _setup.HybridMemory.Clear();
        var sum = 0;
        foreach (var key in _keys)
        {
            sum += (await _setup.Hybrid.GetOrCreateAsync(key, 0, static (_, _) => ValueTask.FromException<Product>(Unexpected()))).Id;
        }

        return sum;
    }

    private static InvalidOperationException Unexpected() => new("A read that Redis should have served ran its factory.");
}
