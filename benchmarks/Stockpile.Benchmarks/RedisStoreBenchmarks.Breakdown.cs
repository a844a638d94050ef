using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Benchmarks;

/// <summary>
/// Where a batch get of 100 by primary key spends its time, part by part (category <c>breakdown</c>, beside the
/// <c>batch</c> category's deserialization and stored-value reads): one round trip (<c>PING</c>), the <c>MGET</c> of the
/// store's 100 keys with StackExchange.Redis decoding the reply into <see cref="RedisValue"/>s (a <c>byte[]</c> each)
/// or leaving it undecoded in a pooled buffer (<c>ExecuteRespAsync</c>), writing the 100 keys as the store does, and
/// deserializing through a cached <see cref="JsonTypeInfo{T}"/> or the store's serializer. Per-call percentiles, the
/// parts measured in turn, come from <see cref="RedisBatchBreakdownRun"/> (<c>-- --redis-batch-breakdown</c>).
/// </summary>
public partial class RedisStoreBenchmarks
{
    private static readonly JsonTypeInfo<Product> s_productInfo = (JsonTypeInfo<Product>)JsonSerializerOptions.Default.GetTypeInfo(typeof(Product));

    private RedisKeyOrValue[] _storeKeyArguments = null!;
    private byte[] _objectKeyStart = null!;
    private RedisKeyOrValue[] _namedValueKeyArguments = null!;
    private RedisKeyOrValue[] _shortKeyArguments = null!;
    private KeyDefinition _primaryKey = null!;

    [Benchmark(Description = "one round trip (PING)")]
    [BenchmarkCategory("breakdown")]
    public Task<TimeSpan> RoundTrip() => _database.PingAsync();

    [Benchmark(Description = "MGET of the store's 100 keys, decoded to RedisValue[]")]
    [BenchmarkCategory("breakdown")]
    public Task<RedisValue[]> MultiGetDecoded() => _database.StringGetAsync(_storeKeys);

    [Benchmark(Description = "MGET of the store's 100 keys, reply left undecoded (ExecuteRespAsync)")]
    [BenchmarkCategory("breakdown")]
    public Task<int> MultiGetUndecoded() => CountValuesAsync(_storeKeyArguments);

    [Benchmark(Description = "MGET of 100 keys as long as the store's, values in the named form (before issue 9's short form), undecoded")]
    [BenchmarkCategory("breakdown")]
    public Task<int> MultiGetNamedValuesUndecoded() => CountValuesAsync(_namedValueKeyArguments);

    [Benchmark(Description = "MGET of 100 short keys (bare:{id}), values as the store's, undecoded")]
    [BenchmarkCategory("breakdown")]
    public Task<int> MultiGetShortKeysUndecoded() => CountValuesAsync(_shortKeyArguments);

    [Benchmark(Description = "write 100 keys (the store's short path)")]
    [BenchmarkCategory("breakdown")]
    public int WriteKeys()
    {
        // As the store's batch does: one pooled buffer for the 100 keys, given back once they are sent.
        using var keys = new PooledKeyBytes(Batch, bytesPerKey: 96);
        for (var i = 0; i < Batch; i++)
        {
            var room = keys.Room(512);
            _objectKeyStart.CopyTo(room);
            _primaryKey.TryWriteCanonicalUtf8(_batchIds[i], false, compact: true, room[_objectKeyStart.Length..], out var written);
            var end = _objectKeyStart.Length + written;
            room[end] = RedisKeyPatterns.ObjectKeyEndUtf8;
            keys.Add(end + 1);
        }

        return keys.Count;
    }

    [Benchmark(Description = "deserialize 100, cached JsonTypeInfo<T>")]
    [BenchmarkCategory("breakdown")]
    public Product?[] DeserializeTypeInfo() => Array.ConvertAll(_bareValues, static v => JsonSerializer.Deserialize(v, s_productInfo));

    [Benchmark(Description = "deserialize 100, the store's serializer")]
    [BenchmarkCategory("breakdown")]
    public object?[] DeserializeSerializer() => Array.ConvertAll(_bareValues, static v => SystemTextJsonStockpileSerializer.Default.Deserialize(v, typeof(Product)));

    /// <summary>One <c>MGET</c>, its reply left undecoded; counts the values found, each read in place.</summary>
    private async Task<int> CountValuesAsync(RedisKeyOrValue[] keys)
    {
        using var reply = await _database.ExecuteRespAsync("MGET", keys);
        var values = reply.Read().AggregateChildren();
        var found = 0;
        while (values.MoveNext())
        {
            found += values.Value.TryGetSpan(out _) ? 1 : 0;
        }

        return found;
    }

    /// <summary>Makes what the parts above read, once the store has written the products.</summary>
    private void SetupBreakdown()
    {
        // The same key lengths as the store's ("named" for "bench:"), each value with the type's canonical name in it.
        var name = Stockpile.Internal.TypeNames.CanonicalUtf8(typeof(Product));
        var namedKeys = _storeKeys.Select(k => (RedisKey)("named" + k.ToString()[5..])).ToArray();
        _database.StringSet([.. namedKeys.Select((k, i) => new KeyValuePair<RedisKey, RedisValue>(k, (byte[])[(byte)'V', (byte)(name.Length >> 8), (byte)name.Length, .. name, .. _bareValues[i]]))]);
        _namedValueKeyArguments = [.. namedKeys.Select(k => (RedisKeyOrValue)k)];
        var shortKeys = Enumerable.Range(0, Batch).Select(i => (RedisKey)("short:" + i)).ToArray();
        _database.StringSet([.. shortKeys.Select((k, i) => new KeyValuePair<RedisKey, RedisValue>(k, _storedValues[i]))]);
        _shortKeyArguments = [.. shortKeys.Select(k => (RedisKeyOrValue)k)];
        _storeKeyArguments = [.. _storeKeys.Select(k => (RedisKeyOrValue)k)];
        _objectKeyStart = RedisKeyPatterns.ObjectKeyStartUtf8("bench:");
        _primaryKey = StockpileEntityType.For<Product>().PrimaryKey;
    }
}
