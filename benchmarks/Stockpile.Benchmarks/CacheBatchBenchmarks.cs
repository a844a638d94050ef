using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Testing.Servers;

namespace Stockpile.Benchmarks;

/// <summary>
/// Batch get-or-create of 100 keys (<see cref="StockpileCache.GetOrCreateManyAsync"/>) against what it stands in for:
/// all missing, with a factory that is one SQLite query for the 100 rows (the query alone is the baseline; each
/// Stockpile run ends with a flush so the next one misses again), and all stored in Redis on a private redis-server
/// (one <c>MGET</c> of 100 values is the baseline; one <c>MGET</c> of the 100 entries' strings, header and bytes, is
/// what the cache tier sends).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CacheBatchBenchmarks
{
    private const int Batch = 100;

    private BenchDatabase _database = null!;
    private BenchDbContext _context = null!;
    private RedisServer _server = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private StockpileCache _memory = null!;
    private StockpileCache _memoryThenRedis = null!;
    private StockpileCache _redisOnly = null!;
    private int[] _ids = null!;
    private string[] _keys = null!;
    private Dictionary<string, int> _idOfKey = null!;
    private RedisKey[] _bareKeys = null!;
    private RedisKey[] _entryKeys = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = new BenchDatabase();
        _context = new BenchDbContext(_database.Options());
        _ids = [.. Enumerable.Range(300, Batch)];
        _keys = [.. _ids.Select(static id => "product:" + id)];
        _idOfKey = _ids.ToDictionary(static id => "product:" + id);

        _server = await RedisServer.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_server.ConnectionString + ",allowAdmin=true");
        var options = new StockpileCacheOptions { DefaultExpiration = TimeSpan.FromHours(1) };
        _memory = new StockpileCache(options);
        _memoryThenRedis = RedisCacheFactory.Create(options, _ => new(_multiplexer), "bench-miss:", RedisCacheLayout.MemoryThenRedis, out _);
        _redisOnly = RedisCacheFactory.Create(options, _ => new(_multiplexer), "bench-hit:", RedisCacheLayout.RedisOnly, out _);

        var products = await QueryAsync(_ids);
        foreach (var product in products)
        {
            await _redisOnly.SetAsync("product:" + product.Id, product);
        }

        _bareKeys = [.. _ids.Select(static id => (RedisKey)("bare:" + id))];
        var tier = (RedisCacheTier)_redisOnly.Tier;
        _entryKeys = [.. _keys.Select(tier.KeyOf)];
        await _multiplexer.GetDatabase().StringSetAsync([.. products.Select(p => new KeyValuePair<RedisKey, RedisValue>("bare:" + p.Id, JsonSerializer.SerializeToUtf8Bytes(p)))]);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _memoryThenRedis.DisposeAsync();
        await _context.DisposeAsync();
        _database.Dispose();
        await _multiplexer.DisposeAsync();
        await _server.DisposeAsync();
    }

    [BenchmarkCategory("100 misses"), Benchmark(Baseline = true, Description = "the factory's query alone: 100 rows by id IN (...), SQLite")]
    public Task<List<Product>> QueryOnly() => QueryAsync(_ids);

    [BenchmarkCategory("100 misses"), Benchmark(Description = "GetOrCreateManyAsync, memory cache, factory = that query (+ flush)")]
    public async Task<int> MissesInMemory()
    {
        var values = await _memory.GetOrCreateManyAsync(_keys, FactoryAsync);
        await _memory.FlushAsync();
        return values.Count;
    }

    [BenchmarkCategory("100 misses"), Benchmark(Description = "GetOrCreateManyAsync, memory over Redis, factory = that query (+ flush)")]
    public async Task<int> MissesInMemoryThenRedis()
    {
        var values = await _memoryThenRedis.GetOrCreateManyAsync(_keys, FactoryAsync);
        await _memoryThenRedis.FlushAsync();
        return values.Count;
    }

    [BenchmarkCategory("100 misses"), Benchmark(Description = "the flush alone, memory over Redis (SCAN + UNLINK of the namespace)")]
    public ValueTask FlushOnly() => _memoryThenRedis.FlushAsync();

    [BenchmarkCategory("100 Redis hits"), Benchmark(Baseline = true, Description = "one MGET of 100 values")]
    public Task<RedisValue[]> Mget() => _multiplexer.GetDatabase().StringGetAsync(_bareKeys);

    [BenchmarkCategory("100 Redis hits"), Benchmark(Description = "one MGET of 100 values + deserialize")]
    public async Task<int> MgetAndDeserialize()
    {
        var values = await _multiplexer.GetDatabase().StringGetAsync(_bareKeys);
        var count = 0;
        foreach (var value in values)
        {
            count += JsonSerializer.Deserialize<Product>((byte[])value!)!.Id > 0 ? 1 : 0;
        }

        return count;
    }

    [BenchmarkCategory("100 Redis hits"), Benchmark(Description = "bare: one MGET of the 100 cache entries (what the cache tier sends)")]
    public Task<RedisValue[]> MgetEntries() => _multiplexer.GetDatabase().StringGetAsync(_entryKeys);

    [BenchmarkCategory("100 Redis hits"), Benchmark(Description = "GetOrCreateManyAsync, Redis alone, all stored")]
    public async Task<int> HitsInRedis() => (await _redisOnly.GetOrCreateManyAsync(_keys, FactoryAsync)).Count;

    private async ValueTask<IReadOnlyDictionary<string, Product>> FactoryAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var ids = new int[keys.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = _idOfKey[keys[i]];
        }

        var rows = await QueryAsync(ids);
        return rows.ToDictionary(static p => "product:" + p.Id);
    }

    private Task<List<Product>> QueryAsync(int[] ids) => _context.Products.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync();
}
