using BenchmarkDotNet.Attributes;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 6: a batch of 100 mixed hits and misses, Stockpile's batch reads against the peers' loop of single
/// get-or-create calls (neither FusionCache nor HybridCache has a batch call). The 100 ids alternate: the 50 even ones
/// are in memory (every level), the 50 odd ones in no level, so each batch serves 50 memory hits and 50 database misses
/// (stored in both levels on the way). Each invocation ends by undoing the misses (the 50 odd keys removed from the
/// memory level directly, the library's Redis database emptied with <c>FLUSHDB</c>; the even keys stay in memory, which
/// is all their hits read), so the next starts alike; that undoing is part of every figure. Invocations alternate
/// between two such batches (ids 0–99 and 100–199), because HybridCache answers before its Redis writes end: a late
/// write lands in the other batch's ids, which the next invocation's <c>FLUSHDB</c> empties again. Stockpile runs the chain's
/// <c>GetManyAsync</c> (memory, then one Redis read of the misses, then one query of the misses) and
/// <see cref="IStockpileCache.GetOrCreateManyAsync{T}"/> with a factory that queries all the misses at once; the peers
/// run one compiled query per miss (<see cref="PeerSetup.LoadAsync"/>). The run fails unless every batch ran the
/// queries it should (<see cref="CleanupAsync"/>).
/// </summary>
[MemoryDiagnoser]
public class PeerBatchBenchmarks
{
    /// <summary>The ids per batch.</summary>
    public const int Batch = 100;

    private PeerSetup _setup = null!;
    private int[][] _ids = null!;
    private string[] _keys = null!;
    private string[][] _batchKeys = null!;
    private EntityKey[][] _missKeys = null!;
    private string[][] _missStrings = null!;
    private Dictionary<string, int> _idOfKey = null!;
    private int _invocation;
    private long _queries;
    private long _expectedQueries;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _setup = await PeerSetup.StartAsync();
        _ids = [[.. Enumerable.Range(0, Batch)], [.. Enumerable.Range(Batch, Batch)]];
        _keys = [.. Enumerable.Range(0, 2 * Batch).Select(PeerSetup.KeyOf)];
        _batchKeys = [.. _ids.Select(static ids => ids.Select(PeerSetup.KeyOf).ToArray())];
        _idOfKey = Enumerable.Range(0, 2 * Batch).ToDictionary(PeerSetup.KeyOf);
        _missKeys = [.. _ids.Select(static ids => ids.Where(static id => id % 2 == 1).Select(static id => EntityKey.For<Product>(id)).ToArray())];
        _missStrings = [.. _ids.Select(static ids => ids.Where(static id => id % 2 == 1).Select(PeerSetup.KeyOf).ToArray())];
        foreach (var id in Enumerable.Range(0, 2 * Batch).Where(static id => id % 2 == 0))
        {
            var product = await _setup.LoadAsync(id, default);
            await _setup.Chain.GetAsync<Product, int>(id);
            await _setup.Cache.SetAsync(_keys[id], product);
            await _setup.Fusion.SetAsync(_keys[id], product);
            await _setup.Hybrid.SetAsync(_keys[id], product);
        }

        // The undoing must reach what each library really keeps, or the next batch would not miss: each batch twice.
        await _setup.ExpectQueriesAsync(nameof(StockpileChainBatch), StockpileChainBatch, 1);
        await _setup.ExpectQueriesAsync(nameof(StockpileCacheBatch), StockpileCacheBatch, 1);
        await _setup.ExpectQueriesAsync(nameof(FusionLoop), FusionLoop, Batch / 2);
        await _setup.ExpectQueriesAsync(nameof(HybridLoop), HybridLoop, Batch / 2);
        _queries = _setup.Queries;
        _expectedQueries = 0;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        var queries = _setup.Queries - _queries;
        await _setup.DisposeAsync();
        Console.WriteLine($"// The batches ran {queries} database queries; {_expectedQueries} expected.");
        if (queries > _expectedQueries || queries < _expectedQueries * 99 / 100)
        {
            throw new InvalidOperationException($"The batches ran {queries} database queries where {_expectedQueries} were expected.");
        }
    }

    [Benchmark(Description = "Stockpile chain GetManyAsync<Product, int> of 100")]
    public async Task<int> StockpileChainBatch()
    {
        var set = NextSet();
        var products = await _setup.Chain.GetManyAsync<Product, int>(_ids[set]);
        await _setup.ChainMemory.DeleteManyAsync(_missKeys[set]);
        await _setup.FlushAsync(PeerSetup.StockpileDatabase);
        _expectedQueries += 1;
        return Count(products);
    }

    [Benchmark(Description = "Stockpile IStockpileCache.GetOrCreateManyAsync of 100 (one query for the misses)")]
    public async Task<int> StockpileCacheBatch()
    {
        var set = NextSet();
        var products = await _setup.Cache.GetOrCreateManyAsync<Product>(_batchKeys[set], LoadMissingAsync);
        foreach (var key in _missStrings[set])
        {
            await _setup.CacheMemory.RemoveAsync(key, default);
        }

        await _setup.FlushAsync(PeerSetup.StockpileDatabase);
        _expectedQueries += 1;
        return products.Count;
    }

    [Benchmark(Baseline = true, Description = "FusionCache: 100 GetOrSetAsync, one after another")]
    public async Task<int> FusionLoop()
    {
        var set = NextSet();
        var count = 0;
        foreach (var id in _ids[set])
        {
            count += (await _setup.Fusion.GetOrSetAsync<Product>(_keys[id], (_, ct) => _setup.LoadAsync(id, ct))).Id >= 0 ? 1 : 0;
        }

        foreach (var key in _missStrings[set])
        {
            _setup.FusionMemory.Remove(key);
        }

        await _setup.FlushAsync(PeerSetup.FusionDatabase);
        _expectedQueries += Batch / 2;
        return count;
    }

    [Benchmark(Description = "HybridCache: 100 GetOrCreateAsync, one after another")]
    public async Task<int> HybridLoop()
    {
        var set = NextSet();
        var count = 0;
        foreach (var id in _ids[set])
        {
            count += (await _setup.Hybrid.GetOrCreateAsync(_keys[id], (_setup, id), static (s, ct) => new ValueTask<Product>(s._setup.LoadAsync(s.id, ct)))).Id >= 0 ? 1 : 0;
        }

        foreach (var key in _missStrings[set])
        {
            _setup.HybridMemory.Remove(key);
        }

        await _setup.FlushAsync(PeerSetup.HybridDatabase);
        _expectedQueries += Batch / 2;
        return count;
    }

    /// <summary>This invocation's batch: the two in turn.</summary>
    private int NextSet() => _invocation++ % 2;

    private static int Count(IReadOnlyList<Product?> products)
    {
        var count = 0;
        foreach (var product in products)
        {
            count += product is null ? 0 : 1;
        }

        return count == Batch ? count : throw new InvalidOperationException($"A batch of {Batch} found {count} products.");
    }

    private async ValueTask<IReadOnlyDictionary<string, Product>> LoadMissingAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var ids = new int[keys.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = _idOfKey[keys[i]];
        }

        var rows = await _setup.LoadManyAsync(ids, cancellationToken);
        var found = new Dictionary<string, Product>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            found[_keys[row.Id]] = row;
        }

        return found;
    }
}
