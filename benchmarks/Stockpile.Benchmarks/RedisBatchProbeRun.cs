using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using StackExchange.Redis;
using Stockpile.Testing.Servers;

namespace Stockpile.Benchmarks;

/// <summary>
/// Where an <c>MGET</c> of 100 spends the time it takes beyond one round trip: sending 100 keys (an <c>MGET</c> of 100
/// keys that do not exist, its reply 100 nulls) against receiving 100 values (a <c>GET</c> of one value as long as the
/// 100 together), each beside <c>PING</c> and an <c>MGET</c> of one key, measured in turn on a private redis-server;
/// the synchronous part of StackExchange.Redis's call (rendering and writing the command); and deserializing 100
/// products through a reflection-based and a source-generated <see cref="JsonTypeInfo{T}"/>. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --redis-batch-probe</c>.
/// </summary>
internal static class RedisBatchProbeRun
{
    private const int Batch = 100;

    public static async Task RunAsync()
    {
        await using var server = await RedisServer.StartAsync();
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var database = multiplexer.GetDatabase();

        // Keys and values of the store's sizes: a short-layout key of 20-odd bytes, a product's stored value of 58 bytes.
        var value = Encoding.UTF8.GetBytes(new string('x', 58));
        var keys = Enumerable.Range(0, Batch).Select(i => (RedisKeyOrValue)(RedisValue)Encoding.UTF8.GetBytes($"bench:{{AbCdEfGhIjK|{i}}}")).ToArray();
        var missing = Enumerable.Range(0, Batch).Select(i => (RedisKeyOrValue)(RedisValue)Encoding.UTF8.GetBytes($"miss:{{AbCdEfGhIjK|{i}}}")).ToArray();
        await database.StringSetAsync([.. keys.Select(k => new KeyValuePair<RedisKey, RedisValue>((byte[])k.Value!, value))]);
        await database.StringSetAsync("big", new byte[Batch * value.Length]);
        RedisKeyOrValue[] one = [keys[0]];
        RedisKeyOrValue[] big = [(RedisValue)"big"];

        var json = Enumerable.Range(0, Batch).Select(i => JsonSerializer.SerializeToUtf8Bytes(new Product { Id = i, Sku = $"SKU-{i:D6}", Name = $"Product {i}", Price = i })).ToArray();
        var reflected = (JsonTypeInfo<Product>)JsonSerializerOptions.Default.GetTypeInfo(typeof(Product));
        var generated = ProductJsonContext.Default.Product;

        // The default serializer's options (System.Text.Json's defaults and its two converters refusing lone surrogates),
        // read through the serializer as the store does (a type, not a JsonTypeInfo) and through their JsonTypeInfo.
        var stockpile = SystemTextJsonStockpileSerializer.Default;
        var stockpileOptions = new JsonSerializerOptions(JsonSerializerDefaults.General);
        stockpileOptions.Converters.Add(new Stockpile.Internal.Serialization.WellFormedTextConverter());
        stockpileOptions.Converters.Add(new Stockpile.Internal.Serialization.WellFormedCharConverter());
        stockpileOptions.MakeReadOnly(populateMissingResolver: true);
        var stockpileInfo = (JsonTypeInfo<Product>)stockpileOptions.GetTypeInfo(typeof(Product));

        (string Name, Func<Task> Run)[] sides =
        [
            ("PING", () => database.PingAsync()),
            ("MGET of 1", () => ExecuteAsync(database, "MGET", one)),
            ("MGET of 100 (58-byte values)", () => ExecuteAsync(database, "MGET", keys)),
            ("MGET of 100 missing keys (reply: 100 nulls)", () => ExecuteAsync(database, "MGET", missing)),
            ("GET of one value of 5,800 bytes", () => ExecuteAsync(database, "GET", big)),
            ("deserialize 100, reflection-based JsonTypeInfo", () => Deserialize(json, reflected)),
            ("deserialize 100, source-generated JsonTypeInfo", () => Deserialize(json, generated)),
            ("deserialize 100, the default serializer's options, their JsonTypeInfo", () => Deserialize(json, stockpileInfo)),
            ("deserialize 100 through the default serializer, as the store does", () => Deserialize(json, stockpile)),
            ("StackExchange.Redis's synchronous part of an MGET of 1", () => SendAsync(database, one)),
            ("StackExchange.Redis's synchronous part of an MGET of 100", () => SendAsync(database, missing)),
        ];
        // The last two sides time only the call itself (until it returns its task); their warm-up awaits the whole call.
        var times = await RedisPairedRun.MeasureInTurnAsync(
            [.. sides.Select((side, i) => (Func<int, List<double>?, Task>)((count, into) => into is not null && i >= sides.Length - 2
                ? MeasureSendAsync(database, i == sides.Length - 1 ? missing : one, count, into)
                : RedisPairedRun.MeasureAsync(side.Run, count, into)))],
            rounds: 60,
            block: 20);

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"an MGET of 100, part by part (1,200 calls each, in turn in blocks of 20):"));
        for (var i = 0; i < sides.Length; i++)
        {
            var sorted = times[i].Order().ToList();
            Console.WriteLine(string.Create(inv, $"  {sides[i].Name}: P50 {RedisPairedRun.Percentile(sorted, 50):N1} us, P99 {RedisPairedRun.Percentile(sorted, 99):N1} us"));
        }
    }

    private static async Task ExecuteAsync(IDatabase database, string command, RedisKeyOrValue[] arguments)
    {
        using var reply = await database.ExecuteRespAsync(command, arguments);
    }

    private static Task Deserialize(byte[][] values, JsonTypeInfo<Product> info)
    {
        foreach (var value in values)
        {
            _ = JsonSerializer.Deserialize(value, info);
        }

        return Task.CompletedTask;
    }

    private static Task Deserialize(byte[][] values, SystemTextJsonStockpileSerializer serializer)
    {
        foreach (var value in values)
        {
            _ = serializer.Deserialize(value, typeof(Product));
        }

        return Task.CompletedTask;
    }

    private static async Task SendAsync(IDatabase database, RedisKeyOrValue[] arguments) => (await database.ExecuteRespAsync("MGET", arguments)).Dispose();

    /// <summary>Times only the call itself (until it returns its task), then awaits the reply outside the timing.</summary>
    private static async Task MeasureSendAsync(IDatabase database, RedisKeyOrValue[] arguments, int count, List<double> times)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var pending = database.ExecuteRespAsync("MGET", arguments);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            (await pending).Dispose();
        }
    }
}
