using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using StackExchange.Redis;
using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Servers;

namespace Stockpile.Benchmarks;

/// <summary>
/// Where a batch get of 100 by primary key spends its time, part by part, against a private redis-server on loopback:
/// one round trip (<c>PING</c>), the server's <c>MGET</c> of the store's 100 keys with StackExchange.Redis decoding
/// the reply into <see cref="RedisValue"/>s (a <c>byte[]</c> each) or left undecoded in a pooled reply
/// (<c>ExecuteRespAsync</c>), writing the 100 keys, deserializing 100 values with System.Text.Json (through
/// <see cref="JsonSerializer"/>'s type look-up, or a cached <see cref="JsonTypeInfo{T}"/>) and the store's own
/// decoding of its stored values (type header, then the serializer); and the whole store call beside it.
/// Run with <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --filter '*RedisBatchBreakdown*' --job short --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
public class RedisBatchBreakdownBenchmarks
{
    private const int Batch = 100;

    private static readonly JsonTypeInfo<Product> s_productInfo = (JsonTypeInfo<Product>)JsonSerializerOptions.Default.GetTypeInfo(typeof(Product));

    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.General);
    private static readonly Type s_productType = typeof(Product);

    private RedisServer _server = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private IDatabase _database = null!;
    private RedisStore _store = null!;
    private RedisKey[] _storeKeys = null!;
    private RedisKeyOrValue[] _storeKeyArguments = null!;
    private byte[][] _jsonValues = null!;
    private byte[][] _storedValues = null!;
    private int[] _batchIds = null!;
    private byte[] _keyStart = null!;
    private KeyDefinition _primaryKey = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await RedisServer.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_server.ConnectionString);
        _database = _multiplexer.GetDatabase();
        _store = RedisStore.Create(_multiplexer, new RedisStoreOptions { KeyPrefix = "bench:", DefaultLifetime = TimeSpan.FromHours(1) });
        var products = Enumerable.Range(0, Batch).Select(i => new Product { Id = i, Sku = $"SKU-{i:D6}", Name = $"Product {i}", Price = i }).ToArray();
        await _store.PutManyAsync(products);
        _batchIds = [.. Enumerable.Range(0, Batch)];
        _storeKeys = [.. _batchIds.Select(id => (RedisKey)RedisKeyPatterns.ObjectKey("bench:", EntityKey.For<Product>(id).Encode()))];
        _storeKeyArguments = [.. _storeKeys.Select(k => (RedisKeyOrValue)k)];
        _jsonValues = [.. products.Select(p => JsonSerializer.SerializeToUtf8Bytes(p))];
        _storedValues = [.. products.Select(p => StoredPayload.Value(p, SystemTextJsonStockpileSerializer.Default))];
        _keyStart = RedisKeyPatterns.ObjectKeyStartUtf8("bench:");
        _primaryKey = StockpileEntityType.For<Product>().PrimaryKey;
        if ((await _store.GetManyAsync<Product, int>(_batchIds)).Any(p => p is null) || (await MultiGetUndecoded()) != Batch)
        {
            throw new InvalidOperationException("The set-up did not store the products.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        await _multiplexer.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Description = "one round trip (PING)")]
    public Task<TimeSpan> RoundTrip() => _database.PingAsync();

    [Benchmark(Description = "MGET of the store's 100 keys, decoded to RedisValue[]")]
    public Task<RedisValue[]> MultiGetDecoded() => _database.StringGetAsync(_storeKeys);

    [Benchmark(Description = "MGET of the store's 100 keys, reply left undecoded (ExecuteRespAsync)")]
    public async Task<int> MultiGetUndecoded()
    {
        using var reply = await _database.ExecuteRespAsync("MGET", _storeKeyArguments);
        var reader = reply.Read();
        var children = reader.AggregateChildren();
        var found = 0;
        while (children.MoveNext())
        {
            found += children.Value.TryGetSpan(out _) ? 1 : 0;
        }

        return found;
    }

    [Benchmark(Description = "write 100 keys (the store's hot path)")]
    public RedisKey[] WriteKeys()
    {
        var keys = new RedisKey[Batch];
        Span<byte> buffer = stackalloc byte[512];
        for (var i = 0; i < keys.Length; i++)
        {
            _keyStart.CopyTo(buffer);
            _primaryKey.TryWriteCanonicalUtf8(_batchIds[i], false, buffer[_keyStart.Length..], out var written);
            var end = _keyStart.Length + written;
            buffer[end] = RedisKeyPatterns.ObjectKeyEndUtf8;
            keys[i] = buffer[..(end + 1)].ToArray();
        }

        return keys;
    }

    [Benchmark(Description = "deserialize 100, JsonSerializer.Deserialize<T>")]
    public Product?[] DeserializeGeneric() => Array.ConvertAll(_jsonValues, static v => JsonSerializer.Deserialize<Product>(v));

    [Benchmark(Description = "deserialize 100, cached JsonTypeInfo<T>")]
    public Product?[] DeserializeTypeInfo() => Array.ConvertAll(_jsonValues, static v => JsonSerializer.Deserialize(v, s_productInfo));

    [Benchmark(Description = "deserialize 100, Deserialize(span, Type, options)")]
    public object?[] DeserializeByType() => Array.ConvertAll(_jsonValues, static v => JsonSerializer.Deserialize(v.AsSpan(), s_productType, s_options));

    [Benchmark(Description = "deserialize 100, the store's serializer")]
    public object?[] DeserializeSerializer() => Array.ConvertAll(_jsonValues, static v => SystemTextJsonStockpileSerializer.Default.Deserialize(v, typeof(Product)));

    [Benchmark(Description = "read 100 stored values (type header + serializer)")]
    public object?[] ReadStored() => Array.ConvertAll(_storedValues, static v => StoredPayload.ReadValue(v, typeof(Product), typeof(Product), false, SystemTextJsonStockpileSerializer.Default));

    [Benchmark(Description = "RedisStore.GetManyAsync of 100")]
    public async Task<IReadOnlyList<Product?>> StoreBatch() => await _store.GetManyAsync<Product, int>(_batchIds);
}
