using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Servers;

namespace Stockpile.Benchmarks;

/// <summary>
/// The Redis store against what a user would write by hand on the same multiplexer, against a private redis-server
/// the benchmark starts on loopback: a get by primary key against <c>StringGetAsync</c> plus deserialization, a
/// batch of 100 against one <c>MGET</c> plus deserialization and against 100 sequential gets, and a put of an object
/// with two alternate keys against one <c>EVALSHA</c> round trip (and against the put script alone, its arguments
/// made once: the gap between that and the store is the store's client-side work), and 64 concurrent callers of each
/// get (the mean is per get: its inverse is the throughput), beside <c>redis-benchmark -c 50 -t get</c> run against the
/// same server in the same session (per request). Per-call percentiles, with the store and its peer interleaved so that
/// a shared machine's load swings hit both, come from <see cref="RedisPairedRun"/> (<c>-- --paired-redis</c>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Percentiles))]
public partial class RedisStoreBenchmarks
{
    /// <summary>The requests <see cref="RedisBenchmarkTool"/> makes.</summary>
    public const int ToolRequests = 50_000;

    /// <summary>The gets <see cref="StoreConcurrent"/> and <see cref="BareConcurrent"/> make.</summary>
    public const int ConcurrentGets = Callers * PerCaller;

    private const int Count = 1_000;
    private const int Batch = 100;
    private const string Noop = "return 1";
    private const int Callers = 64;
    private const int PerCaller = 100;

    private RedisServer _server = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private IDatabase _database = null!;
    private RedisStore _store = null!;

    // The key layout of versions before the compact one (the type's full name in every key), under a prefix of the
    // same length; and the compact layout without removing the other layout's keys on a write.
    private RedisStore _fullNameStore = null!;
    private RedisStore _evictingStore = null!;
    private Product[] _products = null!;
    private RedisKey[] _bareKeys = null!;
    private RedisKey[] _storeKeys = null!;
    private byte[][] _bareValues = null!;
    private byte[][] _storedValues = null!;
    private int[] _batchIds = null!;
    private byte[] _noopSha1 = null!;
    private RedisKey[][] _putScriptKeys = null!;
    private RedisValue[][] _putScriptArguments = null!;
    private RedisValue[][] _putScriptLongArguments = null!;
    private int _next;

    /// <summary>
    /// Gets the port to connect to for the server's port: the server's own by default; a run that measures at a
    /// network's round trip (<see cref="Latency.RedisLatencyRun"/>) connects through a delaying proxy instead.
    /// </summary>
    public Func<int, int>? Route { get; init; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await RedisServer.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(
            Route is null ? _server.ConnectionString + ",allowAdmin=true" : string.Create(CultureInfo.InvariantCulture, $"{RedisServer.Host}:{Route(_server.Port)},allowAdmin=true"));
        _database = _multiplexer.GetDatabase();
        _store = RedisStore.Create(_multiplexer, new RedisStoreOptions { KeyPrefix = "bench:", DefaultLifetime = TimeSpan.FromHours(1) });
        _products = [.. Enumerable.Range(0, Count).Select(i => new Product { Id = i, Sku = $"SKU-{i:D6}", Name = $"Product {i}", Price = i })];
        await _store.PutManyAsync(_products);
        _fullNameStore = RedisStore.Create(_multiplexer, new RedisStoreOptions { KeyPrefix = "named:", DefaultLifetime = TimeSpan.FromHours(1), KeyLayout = RedisKeyLayout.FullTypeNames, EvictOtherKeyLayout = false });
        _evictingStore = RedisStore.Create(_multiplexer, new RedisStoreOptions { KeyPrefix = "evict:", DefaultLifetime = TimeSpan.FromHours(1), EvictOtherKeyLayout = true });
        await _fullNameStore.PutManyAsync(_products);
        _bareKeys = [.. _products.Select(p => (RedisKey)("bare:" + p.Id))];
        await _database.StringSetAsync([.. _products.Select(p => new KeyValuePair<RedisKey, RedisValue>(_bareKeys[p.Id], JsonSerializer.SerializeToUtf8Bytes(p)))]);
        _batchIds = [.. Enumerable.Range(0, Batch)];
        _storeKeys = [.. _batchIds.Select(id => (RedisKey)RedisKeyPatterns.ObjectKey("bench:", EntityKey.For<Product>(id).EncodeCompact(polymorphic: false)))];
        _bareValues = [.. _products.Take(Batch).Select(p => JsonSerializer.SerializeToUtf8Bytes(p))];
        _storedValues = [.. _products.Take(Batch).Select(p => StoredPayload.Value(p, SystemTextJsonStockpileSerializer.Default))];
        SetupBreakdown();
        var server = _multiplexer.GetServer(_multiplexer.GetEndPoints()[0]);
        _noopSha1 = (await server.ScriptLoadAsync(Noop)).ToArray();

        // The store's put script with the keys and arguments the store sends for the Product2 StorePut writes (its key
        // layout and stored value, under another prefix of the same length), so that the store and this differ only by
        // the client's work.
        await server.ScriptLoadAsync(RedisScripts.Put.Text);
        _putScriptKeys = [.. _products.Select(p => new RedisKey[]
        {
            RedisKeyPatterns.ObjectKey("bare:", EntityKey.For<Product2>(p.Id).EncodeCompact(polymorphic: false)),
            RedisKeyPatterns.ObjectKey("bare:", EntityKey.Of<Product2>(nameof(Product2.Sku), p.Sku).EncodeCompact(polymorphic: false)),
            RedisKeyPatterns.ObjectKey("bare:", EntityKey.Of<Product2>(nameof(Product2.Ean), "EAN-" + p.Id).EncodeCompact(polymorphic: false)),
        })];
        // The stamp (the server time the store's put is sent at, RedisWriteClock) made once too: one far ahead of the
        // server's clock is never late, as the store's fresh stamp is not, so the script does the same work.
        // The short form the store sends for one object (prefix, stamp, value, time to live), and the long form of any put.
        _putScriptArguments = [.. _products.Select(p => new RedisValue[] { "bare:", 4_000_000_000_000_000, StoredPayload.Value(NewProduct2(p.Id), SystemTextJsonStockpileSerializer.Default), 3_600_000 })];
        _putScriptLongArguments = [.. _putScriptArguments.Select(a => new RedisValue[] { "", a[0], a[1], 2, a[2], a[3] })];
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        await _fullNameStore.DisposeAsync();
        await _evictingStore.DisposeAsync();
        await _multiplexer.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "StringGetAsync + deserialize")]
    [BenchmarkCategory("get")]
    public async Task<Product?> BareGet()
    {
        var id = Next();
        var bytes = (byte[]?)await _database.StringGetAsync(_bareKeys[id]);
        return bytes is null ? null : JsonSerializer.Deserialize<Product>(bytes);
    }

    [Benchmark(Description = "RedisStore.GetAsync by primary key")]
    [BenchmarkCategory("get")]
    public async Task<Product?> StoreGet() => await _store.GetAsync<Product, int>(Next());

    [Benchmark(Description = "MGET of 100 + deserialize")]
    [BenchmarkCategory("batch")]
    public async Task<Product?[]> BareBatch()
    {
        var values = await _database.StringGetAsync(_bareKeys.AsSpan(0, Batch).ToArray());
        return Array.ConvertAll(values, v => v.IsNull ? null : JsonSerializer.Deserialize<Product>((byte[])v!));
    }

    /// <summary>The same hand-written code over the keys and values the store wrote (its JSON read past the store's header).</summary>
    [Benchmark(Description = "MGET of the store's 100 keys + deserialize")]
    [BenchmarkCategory("batch")]
    public async Task<Product?[]> BareBatchOfStoreKeys()
    {
        var values = await _database.StringGetAsync(_storeKeys);
        return Array.ConvertAll(values, static v => v.IsNull ? null : JsonSerializer.Deserialize<Product>(StoredJson((byte[])v!)));
    }

    /// <summary>The JSON in a value the store wrote: after <c>'O'</c> (the short form), or after <c>'V'</c> and the type's name.</summary>
    internal static ReadOnlySpan<byte> StoredJson(byte[] value) =>
        value[0] == (byte)'O' ? value.AsSpan(1) : value.AsSpan(3 + ((value[1] << 8) | value[2]));

    [Benchmark(Description = "deserialize 100, no Redis (the floor of any batch)")]
    [BenchmarkCategory("batch")]
    public Product?[] DeserializeOnly() => Array.ConvertAll(_bareValues, static v => JsonSerializer.Deserialize<Product>(v));

    [Benchmark(Description = "read 100 stored objects, no Redis (the store's floor)")]
    [BenchmarkCategory("batch")]
    public object?[] ReadStoredOnly() => Array.ConvertAll(_storedValues, static v => StoredPayload.ReadValue(v, typeof(Product), typeof(Product), false, SystemTextJsonStockpileSerializer.Default));

    [Benchmark(Description = "RedisStore.GetManyAsync of 100")]
    [BenchmarkCategory("batch")]
    public async Task<IReadOnlyList<Product?>> StoreBatch() => await _store.GetManyAsync<Product, int>(_batchIds);

    [Benchmark(Description = "100 sequential RedisStore.GetAsync")]
    [BenchmarkCategory("batch")]
    public Task<Product?> StoreSequential100() => SequentialAsync(_store);

    [Benchmark(Description = "RedisStore.GetManyAsync of 100, full type names in keys")]
    [BenchmarkCategory("batch")]
    public async Task<IReadOnlyList<Product?>> FullNameStoreBatch() => await _fullNameStore.GetManyAsync<Product, int>(_batchIds);

    [Benchmark(Description = "100 sequential RedisStore.GetAsync, full type names in keys")]
    [BenchmarkCategory("batch")]
    public Task<Product?> FullNameStoreSequential100() => SequentialAsync(_fullNameStore);

    private async Task<Product?> SequentialAsync(RedisStore store)
    {
        Product? last = null;
        foreach (var id in _batchIds)
        {
            last = await store.GetAsync<Product, int>(id);
        }

        return last;
    }

    [Benchmark(Description = "one EVALSHA round trip")]
    [BenchmarkCategory("put")]
    public async Task<RedisResult> BareEvalSha() => await _database.ScriptEvaluateAsync(_noopSha1);

    /// <summary>One <c>EVALSHA</c> of <c>return 1</c> sent the keys and arguments of the put script: what sending them costs.</summary>
    [Benchmark(Description = "one EVALSHA round trip with the put's keys and arguments")]
    [BenchmarkCategory("put")]
    public async Task<RedisResult> BareEvalShaWithPutArguments()
    {
        var id = Next();
        return await _database.ScriptEvaluateAsync(_noopSha1, _putScriptKeys[id], _putScriptArguments[id]);
    }

    [Benchmark(Description = "the put script by EVALSHA, the store's keys and arguments made once (no client work)")]
    [BenchmarkCategory("put")]
    public async Task<RedisResult> BarePutScript()
    {
        var id = Next();
        return await _database.ScriptEvaluateAsync(RedisScripts.Put.Sha1, _putScriptKeys[id], _putScriptArguments[id]);
    }

    /// <summary>The same call in the script's long form (the lease and the alternate key count sent too), as before the short form.</summary>
    [Benchmark(Description = "the put script by EVALSHA, the long form's six arguments")]
    [BenchmarkCategory("put")]
    public async Task<RedisResult> BarePutScriptLongForm()
    {
        var id = Next();
        return await _database.ScriptEvaluateAsync(RedisScripts.Put.Sha1, _putScriptKeys[id], _putScriptLongArguments[id]);
    }

    [Benchmark(Description = "RedisStore.PutAsync (an object with two alternate keys)")]
    [BenchmarkCategory("put")]
    public async Task StorePut()
    {
        var id = Next();
        await _store.PutAsync(NewProduct2(id));
    }

    [Benchmark(Description = "RedisStore.PutAsync, EvictOtherKeyLayout on")]
    [BenchmarkCategory("put")]
    public async Task EvictingStorePut() => await _evictingStore.PutAsync(NewProduct2(Next()));

    [Benchmark(Description = "RedisStore.PutAsync, full type names in keys")]
    [BenchmarkCategory("put")]
    public async Task FullNameStorePut() => await _fullNameStore.PutAsync(NewProduct2(Next()));

    /// <summary>A delete of an object Redis does not hold, as a commit's eviction mostly is: its primary key (and, with <c>EvictOtherKeyLayout</c> on, its key in the other layout).</summary>
    [Benchmark(Description = "RedisStore.DeleteAsync (absent)")]
    [BenchmarkCategory("delete")]
    public async Task<bool> StoreDelete() => await _store.DeleteAsync(EntityKey.For<Product2>(Count + Next()));

    [Benchmark(Description = "RedisStore.DeleteAsync (absent), EvictOtherKeyLayout on")]
    [BenchmarkCategory("delete")]
    public async Task<bool> EvictingStoreDelete() => await _evictingStore.DeleteAsync(EntityKey.For<Product2>(Count + Next()));

    private Product2 NewProduct2(int id) => new() { Id = id, Sku = _products[id].Sku, Ean = "EAN-" + id, Name = "n" };

    [Benchmark(Description = "64 callers, StringGetAsync + deserialize (per get)", OperationsPerInvoke = Callers * PerCaller)]
    [BenchmarkCategory("concurrent")]
    public Task BareConcurrent() => ConcurrentlyAsync(async id =>
    {
        var bytes = (byte[]?)await _database.StringGetAsync(_bareKeys[id]);
        return bytes is null ? null : JsonSerializer.Deserialize<Product>(bytes);
    });

    [Benchmark(Description = "64 callers, RedisStore.GetAsync (per get)", OperationsPerInvoke = Callers * PerCaller)]
    [BenchmarkCategory("concurrent")]
    public Task StoreConcurrent() => ConcurrentlyAsync(id => _store.GetAsync<Product, int>(id).AsTask());

    /// <summary>
    /// <c>redis-benchmark -c 50 -t get</c> against the same server, in the same session as the callers above (the mean is
    /// per request, its process start included); the tool's own line is written to the log.
    /// </summary>
    [Benchmark(Description = "redis-benchmark -c 50 -t get (per request)", OperationsPerInvoke = ToolRequests)]
    [BenchmarkCategory("concurrent")]
    public async Task RedisBenchmarkTool()
    {
        var start = new ProcessStartInfo("redis-benchmark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-h", RedisServer.Host, "-p", _server.Port.ToString(CultureInfo.InvariantCulture), "-c", "50", "-t", "get", "-n", ToolRequests.ToString(CultureInfo.InvariantCulture), "-q"])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-benchmark did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("redis-benchmark failed: " + output + await process.StandardError.ReadToEndAsync());
        }

        Console.WriteLine("// redis-benchmark: " + output.Split('\r', '\n').Last(line => line.Length > 0).Trim());
    }

    /// <summary>Runs <see cref="Callers"/> callers at once, each making <see cref="PerCaller"/> gets one after another; the mean is per get.</summary>
    private static async Task ConcurrentlyAsync(Func<int, Task<Product?>> get)
    {
        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            var start = c * PerCaller % Count;
            callers[c] = Task.Run(async () =>
            {
                for (var i = 0; i < PerCaller; i++)
                {
                    if (await get((start + i) % Count) is null)
                    {
                        throw new InvalidOperationException("A product the set-up stored was not found.");
                    }
                }
            });
        }

        await Task.WhenAll(callers);
    }

    private int Next() => _next = (_next + 1) % Count;

    /// <summary>A product with a second alternate key.</summary>
    public sealed class Product2
    {
        [StockpileKey]
        public int Id { get; set; }

        [StockpileKey]
        public string Sku { get; set; } = "";

        [StockpileKey]
        public string Ean { get; set; } = "";

        public string Name { get; set; } = "";
    }

    private sealed class Percentiles : ManualConfig
    {
        public Percentiles()
        {
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.P100);
            AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
        }
    }
}
