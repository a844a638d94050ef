using BenchmarkDotNet.Attributes;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 3: a miss served from the database (SQLite), every level empty, Stockpile against FusionCache and
/// HybridCache whose factories run the same compiled query on a pooled context (<see cref="PeerSetup.LoadAsync"/>).
/// Each invocation empties the library's memory level and its Redis database (<c>FLUSHDB</c>: each library has its own),
/// then reads <see cref="Block"/> different products one after another: every read misses memory and Redis, runs one
/// query and stores the row in both levels. The emptying is shared by the block and is part of every figure.
/// Invocations alternate between two blocks of ids (0–99, 100–199): HybridCache answers its caller before its Redis
/// write ends, so the last write of a block may land after the next invocation's <c>FLUSHDB</c>; it lands in the other
/// block's ids, which the invocation after that empties again. The set-up fails unless every read ran exactly one query,
/// and the run unless 99 % of them did (<see cref="CleanupAsync"/>). Target: Stockpile ≤ 1.1x each peer. The floor is
/// the compiled query alone.
/// </summary>
[MemoryDiagnoser]
public class PeerReadDatabaseBenchmarks
{
    /// <summary>The reads per invocation.</summary>
    public const int Block = 100;

    private PeerSetup _setup = null!;
    private string[] _keys = null!;
    private long _queries;
    private long _reads;
    private int _invocation;

    /// <summary>Gets the set-up (for <see cref="PeerChainMissBreakdownRun"/>).</summary>
    internal PeerSetup Setup => _setup;

    /// <summary>Counts reads made outside these benchmarks that each ran one query (checked in <see cref="CleanupAsync"/>).</summary>
    internal void CountReads(int reads) => _reads += reads;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _setup = await PeerSetup.StartAsync();
        _keys = [.. Enumerable.Range(0, 2 * Block).Select(PeerSetup.KeyOf)];
        await _setup.ExpectQueriesAsync(nameof(StockpileChain), StockpileChain, Block);
        await _setup.ExpectQueriesAsync(nameof(StockpileCache), StockpileCache, Block);
        await _setup.ExpectQueriesAsync(nameof(FusionCache), FusionCache, Block);
        await _setup.ExpectQueriesAsync(nameof(HybridCache), HybridCache, Block);
        _queries = _setup.Queries;
        _reads = 0;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        var queries = _setup.Queries - _queries;
        await _setup.DisposeAsync();
        Console.WriteLine($"// {_reads} reads from an empty cache ran {queries} database queries.");
        if (queries > _reads || queries < _reads * 99 / 100)
        {
            throw new InvalidOperationException($"{_reads} reads from an empty cache ran {queries} database queries; each must run one.");
        }
    }

    [Benchmark(Description = "floor: the compiled query alone, pooled context", OperationsPerInvoke = Block)]
    public async Task<int> QueryOnly()
    {
        var first = NextBlock();
        var sum = 0;
        for (var id = first; id < first + Block; id++)
        {
            sum += (await _setup.LoadAsync(id, default)).Id;
        }

        _reads += Block;
        return sum;
    }

    [Benchmark(Description = "Stockpile chain GetAsync<Product, int> (memory → Redis → EF Core)", OperationsPerInvoke = Block)]
    public async Task<int> StockpileChain()
    {
        await _setup.ChainMemory.ClearAsync();
        await _setup.FlushAsync(PeerSetup.StockpileDatabase);
        var first = NextBlock();
        var sum = 0;
        for (var id = first; id < first + Block; id++)
        {
            sum += (await _setup.Chain.GetAsync<Product, int>(id))!.Id;
        }

        _reads += Block;
        return sum;
    }

    [Benchmark(Description = "Stockpile IStockpileCache.GetOrCreateAsync (memory over Redis)", OperationsPerInvoke = Block)]
    public async Task<int> StockpileCache()
    {
        _setup.CacheMemory.Clear();
        await _setup.FlushAsync(PeerSetup.StockpileDatabase);
        var first = NextBlock();
        var sum = 0;
        for (var id = first; id < first + Block; id++)
        {
            sum += (await _setup.Cache.GetOrCreateAsync(_keys[id], (_setup, id), static (s, ct) => new ValueTask<Product>(s._setup.LoadAsync(s.id, ct)))).Id;
        }

        _reads += Block;
        return sum;
    }

    [Benchmark(Baseline = true, Description = "FusionCache GetOrSetAsync (L1 + Redis L2 + backplane)", OperationsPerInvoke = Block)]
    public async Task<int> FusionCache()
    {
        _setup.FusionMemory.Clear();
        await _setup.FlushAsync(PeerSetup.FusionDatabase);
        var first = NextBlock();
        var sum = 0;
        for (var id = first; id < first + Block; id++)
        {
            var current = id;
            sum += (await _setup.Fusion.GetOrSetAsync<Product>(_keys[id], (_, ct) => _setup.LoadAsync(current, ct))).Id;
        }

        _reads += Block;
        return sum;
    }

    [Benchmark(Description = "HybridCache GetOrCreateAsync (L1 + Redis IDistributedCache)", OperationsPerInvoke = Block)]
    public async Task<int> HybridCache()
    {
        _setup.HybridMemory.Clear();
        await _setup.FlushAsync(PeerSetup.HybridDatabase);
        var first = NextBlock();
        var sum = 0;
        for (var id = first; id < first + Block; id++)
        {
            sum += (await _setup.Hybrid.GetOrCreateAsync(_keys[id], (_setup, id), static (s, ct) => new ValueTask<Product>(s._setup.LoadAsync(s.id, ct)))).Id;
        }

        _reads += Block;
        return sum;
    }

    /// <summary>The first id of this invocation's block: the two blocks in turn.</summary>
    private int NextBlock() => Block * (_invocation++ % 2);
}
