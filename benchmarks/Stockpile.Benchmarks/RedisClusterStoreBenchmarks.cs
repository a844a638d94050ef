using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Servers;

namespace Stockpile.Benchmarks;

/// <summary>
/// The Redis store's batch get of 100 by primary key on a private three-master Redis Cluster the benchmark starts on
/// loopback (<see cref="RedisCluster"/>), against what a user would write by hand on the same multiplexer: group the
/// keys by hash slot, send one <c>MGET</c> per slot, all at once, then deserialize the values. The hand-written code
/// runs twice: over plain keys and JSON values (<c>bare:{id}</c>), and over the keys and values the store wrote
/// (<c>prefix{canonical key}</c>, a type header before the JSON), which isolates the store's own client-side cost.
/// </summary>
[MemoryDiagnoser]
public class RedisClusterStoreBenchmarks
{
    private const int Count = 1_000;
    private const int Batch = 100;

    private RedisCluster _cluster = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private IDatabase _database = null!;
    private RedisStore _store = null!;
    private RedisKey[] _bareKeys = null!;
    private RedisKey[] _storeKeys = null!;
    private int[] _batchIds = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _cluster = await RedisCluster.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_cluster.ConnectionString);
        _database = _multiplexer.GetDatabase();
        _store = RedisStore.Create(_multiplexer, new RedisStoreOptions { KeyPrefix = "bench:", DefaultLifetime = TimeSpan.FromHours(1) });
        var products = Enumerable.Range(0, Count).Select(i => new Product { Id = i, Sku = $"SKU-{i:D6}", Name = $"Product {i}", Price = i }).ToArray();
        await _store.PutManyAsync(products);
        _bareKeys = [.. products.Select(p => (RedisKey)("bare:" + p.Id))];
        await Task.WhenAll(products.Select(p => _database.StringSetAsync(_bareKeys[p.Id], JsonSerializer.SerializeToUtf8Bytes(p))));
        _batchIds = [.. Enumerable.Range(0, Batch)];
        _storeKeys = [.. _batchIds.Select(id => (RedisKey)RedisKeyPatterns.ObjectKey("bench:", EntityKey.For<Product>(id).EncodeCompact(polymorphic: false)))];
        if (await _store.GetAsync<Product, int>(0) is null || (await BareBatch()).Any(p => p is null) || (await BareBatchOfStoreKeys()).Any(p => p is null))
        {
            throw new InvalidOperationException("The set-up did not store the products.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        await _multiplexer.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "per-slot MGETs of 100 + deserialize")]
    public Task<Product?[]> BareBatch() => PerSlotMultiGetAsync(_bareKeys, static value => JsonSerializer.Deserialize<Product>(value));

    /// <summary>The same hand-written code over the keys and values the store wrote (its JSON read past the store's type header).</summary>
    [Benchmark(Description = "per-slot MGETs of 100 of the store's keys + deserialize")]
    public Task<Product?[]> BareBatchOfStoreKeys() => PerSlotMultiGetAsync(_storeKeys, static value => JsonSerializer.Deserialize<Product>(RedisStoreBenchmarks.StoredJson(value)));

    [Benchmark(Description = "RedisStore.GetManyAsync of 100 (cluster)")]
    public async Task<IReadOnlyList<Product?>> StoreBatch() => await _store.GetManyAsync<Product, int>(_batchIds);

    /// <summary>What a user would write: group the keys by hash slot, one MGET per slot, all sent, then deserialize.</summary>
    private async Task<Product?[]> PerSlotMultiGetAsync(RedisKey[] allKeys, Func<byte[], Product?> deserialize)
    {
        var bySlot = new Dictionary<int, List<int>>();
        for (var i = 0; i < Batch; i++)
        {
            var slot = _multiplexer.HashSlot(allKeys[i]);
            if (!bySlot.TryGetValue(slot, out var indexes))
            {
                bySlot[slot] = indexes = [];
            }

            indexes.Add(i);
        }

        var reads = new List<(List<int> Indexes, Task<RedisValue[]> Read)>(bySlot.Count);
        foreach (var indexes in bySlot.Values)
        {
            var keys = new RedisKey[indexes.Count];
            for (var j = 0; j < keys.Length; j++)
            {
                keys[j] = allKeys[indexes[j]];
            }

            reads.Add((indexes, _database.StringGetAsync(keys)));
        }

        var products = new Product?[Batch];
        foreach (var (indexes, read) in reads)
        {
            var values = await read;
            for (var j = 0; j < values.Length; j++)
            {
                products[indexes[j]] = values[j].IsNull ? null : deserialize((byte[])values[j]!);
            }
        }

        return products;
    }
}
