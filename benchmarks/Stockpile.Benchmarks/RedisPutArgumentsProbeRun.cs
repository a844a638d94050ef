using System.Globalization;
using StackExchange.Redis;
using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Servers;

namespace Stockpile.Benchmarks;

/// <summary>
/// What each part of a put's call costs to send: one <c>EVALSHA</c> of <c>return 1</c> sent nothing, the put's three
/// keys, the keys and the six arguments the store sends (lease, prefix, stamp, alternate-key count, value, lifetime),
/// the keys and only the three a put cannot derive (stamp, value, lifetime), and the keys and six arguments with a
/// one-byte value, and the keys sent as arguments (but the primary key, or all three); measured in turn on a private redis-server (client P50), then each alone for the server's own
/// time (<c>usec_per_call</c> of <c>evalsha</c> in <c>INFO commandstats</c>, the least of five runs of 4,000). Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --redis-put-arguments</c>.
/// </summary>
internal static class RedisPutArgumentsProbeRun
{
    private const int Count = 1_000;

    public static async Task RunAsync()
    {
        await using var server = await RedisServer.StartAsync();
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
        var database = multiplexer.GetDatabase();
        var admin = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        var noop = (await admin.ScriptLoadAsync("return 1")).ToArray();

        // The keys and arguments the store sends for a put of RedisStoreBenchmarks.Product2 (two alternate keys).
        var keys = Enumerable.Range(0, Count).Select(i => new RedisKey[]
        {
            RedisKeyPatterns.ObjectKey("bench:", EntityKey.For<RedisStoreBenchmarks.Product2>(i).EncodeCompact(polymorphic: false)),
            RedisKeyPatterns.ObjectKey("bench:", EntityKey.Of<RedisStoreBenchmarks.Product2>(nameof(RedisStoreBenchmarks.Product2.Sku), $"SKU-{i:D6}").EncodeCompact(polymorphic: false)),
            RedisKeyPatterns.ObjectKey("bench:", EntityKey.Of<RedisStoreBenchmarks.Product2>(nameof(RedisStoreBenchmarks.Product2.Ean), "EAN-" + i).EncodeCompact(polymorphic: false)),
        }).ToArray();
        var values = Enumerable.Range(0, Count).Select(i => StoredPayload.Value(new RedisStoreBenchmarks.Product2 { Id = i, Sku = $"SKU-{i:D6}", Ean = "EAN-" + i, Name = "n" }, SystemTextJsonStockpileSerializer.Default)).ToArray();
        const long Stamp = 1_764_500_000_000_000;
        var all = values.Select(v => new RedisValue[] { "", "bench:", Stamp, 2, v, 3_600_000 }).ToArray();
        var needed = values.Select(v => new RedisValue[] { Stamp, v, 3_600_000 }).ToArray();
        var small = values.Select(_ => new RedisValue[] { "", "bench:", Stamp, 2, "O", 3_600_000 }).ToArray();
        var primaries = keys.Select(k => new[] { k[0] }).ToArray();
        var alternatesAsArguments = keys.Select((k, i) => k.Skip(1).Select(static key => (RedisValue)(byte[])key!).Concat(all[i]).ToArray()).ToArray();
        var keysAsArguments = keys.Select((k, i) => k.Select(static key => (RedisValue)(byte[])key!).Concat(all[i]).ToArray()).ToArray();
        var next = 0;
        int Next() => next = (next + 1) % Count;

        (string Name, Func<Task> Run)[] sides =
        [
            ("return 1, nothing sent", () => database.ScriptEvaluateAsync(noop)),
            ("return 1, the put's 3 keys", () => database.ScriptEvaluateAsync(noop, keys[Next()])),
            ("return 1, the 3 keys and the store's 6 arguments", () => database.ScriptEvaluateAsync(noop, keys[Next()], all[next])),
            ("return 1, the 3 keys, stamp, value and lifetime", () => database.ScriptEvaluateAsync(noop, keys[Next()], needed[next])),
            ("return 1, the 3 keys and 6 arguments, a 1-byte value", () => database.ScriptEvaluateAsync(noop, keys[Next()], small[next])),
            ("return 1, the primary key; the 2 alternate keys and 6 arguments as arguments", () => database.ScriptEvaluateAsync(noop, primaries[Next()], alternatesAsArguments[next])),
            ("return 1, no key; the 3 keys and 6 arguments as arguments", () => database.ScriptEvaluateAsync(noop, null, keysAsArguments[Next()])),
        ];
        var times = await RedisPairedRun.MeasureInTurnAsync([.. sides.Select(side => (Func<int, List<double>?, Task>)((count, into) => RedisPairedRun.MeasureAsync(side.Run, count, into)))], rounds: 200, block: 25);

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"a put's call, part by part (5,000 calls each, in turn in blocks of 25; the server's usec_per_call, least of 5 runs of 4,000):"));
        for (var i = 0; i < sides.Length; i++)
        {
            var sorted = times[i].Order().ToList();
            var serverMicros = double.MaxValue;
            for (var run = 0; run < 5; run++)
            {
                await admin.ExecuteAsync("CONFIG", "RESETSTAT");
                await RedisPairedRun.MeasureAsync(sides[i].Run, 4_000, null);
                serverMicros = Math.Min(serverMicros, await EvalShaMicrosAsync(admin));
            }

            Console.WriteLine(string.Create(inv, $"  {sides[i].Name}: P50 {RedisPairedRun.Percentile(sorted, 50):N2} us, P25 {RedisPairedRun.Percentile(sorted, 25):N2} us, server {serverMicros:N2} us"));
        }
    }

    /// <summary>The server's time per <c>EVALSHA</c> since the last <c>CONFIG RESETSTAT</c>: <c>usec_per_call</c> in <c>INFO commandstats</c>.</summary>
    internal static async Task<double> EvalShaMicrosAsync(IServer admin)
    {
        var stats = (string?)await admin.ExecuteAsync("INFO", "commandstats") ?? "";
        var line = stats.Split('\n').First(l => l.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal));
        var field = line.Split(',').First(f => f.StartsWith("usec_per_call=", StringComparison.Ordinal));
        return double.Parse(field["usec_per_call=".Length..], CultureInfo.InvariantCulture);
    }
}
