using System.Globalization;

namespace Stockpile.Benchmarks;

/// <summary>
/// The parts of a batch of 100 (<see cref="RedisStoreBenchmarks"/>, categories <c>breakdown</c> and <c>batch</c>) measured call by call in turn (each part one block per round,
/// the order rotating every round), so that a shared machine's load swings hit every part alike: BenchmarkDotNet runs
/// one method after the other, and on a busy machine the swing between methods is larger than the parts themselves.
/// Reports each part's per-call P50 and P99. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --redis-batch-breakdown</c>.
/// </summary>
internal static class RedisBatchBreakdownRun
{
    public static async Task RunAsync()
    {
        var parts = new RedisStoreBenchmarks();
        await parts.SetupAsync();
        try
        {
            (string Name, Func<Task> Run)[] sides =
            [
                ("one round trip (PING)", parts.RoundTrip),
                ("MGET of 100, decoded to RedisValue[]", parts.MultiGetDecoded),
                ("MGET of 100, reply left undecoded (ExecuteRespAsync)", parts.MultiGetUndecoded),
                ("MGET of 100, values in the earlier named form, undecoded", parts.MultiGetNamedValuesUndecoded),
                ("MGET of 100 short keys, the store's values, undecoded", parts.MultiGetShortKeysUndecoded),
                ("write 100 keys", () => { parts.WriteKeys(); return Task.CompletedTask; }),
                ("deserialize 100, JsonSerializer.Deserialize<T>", () => { parts.DeserializeOnly(); return Task.CompletedTask; }),
                ("deserialize 100, cached JsonTypeInfo<T>", () => { parts.DeserializeTypeInfo(); return Task.CompletedTask; }),
                ("deserialize 100, the store's serializer", () => { parts.DeserializeSerializer(); return Task.CompletedTask; }),
                ("read 100 stored values (type header + serializer)", () => { parts.ReadStoredOnly(); return Task.CompletedTask; }),
                ("RedisStore.GetManyAsync of 100", parts.StoreBatch),
            ];
            await MeasureInTurnAsync(sides, rounds: 40, block: 10);
        }
        finally
        {
            await parts.CleanupAsync();
        }
    }

    /// <summary>
    /// Calls <c>RedisStore.GetManyAsync</c> of 100 for <paramref name="seconds"/> seconds, nothing else, for a sampling
    /// profiler to attach to (<c>DOTNET_PerfMapEnabled=1</c>, then <c>perf record -g -p</c> the process id it prints).
    /// Run with <c>-- --redis-batch-profile [seconds]</c>.
    /// </summary>
    public static async Task ProfileAsync(int seconds)
    {
        var parts = new RedisStoreBenchmarks();
        await parts.SetupAsync();
        try
        {
            await RedisPairedRun.MeasureAsync(parts.StoreBatch, 2_000, null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"profiling process {Environment.ProcessId}: {seconds} s of batches"));
            var calls = 0;
            var end = System.Diagnostics.Stopwatch.GetTimestamp() + (seconds * System.Diagnostics.Stopwatch.Frequency);
            while (System.Diagnostics.Stopwatch.GetTimestamp() < end)
            {
                await parts.StoreBatch();
                calls++;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{calls} batches, {seconds * 1e6 / calls:N1} us each"));
        }
        finally
        {
            await parts.CleanupAsync();
        }
    }

    private static async Task MeasureInTurnAsync((string Name, Func<Task> Run)[] sides, int rounds, int block)
    {
        var times = sides.Select(_ => new List<double>(rounds * block)).ToArray();
        // As long as the paired run's (see RedisPairedRun.CompareAsync).
        for (var warmup = 0; warmup < 4; warmup++)
        {
            foreach (var (_, run) in sides)
            {
                await RedisPairedRun.MeasureAsync(run, 300, null);
            }

            await Task.Delay(250);
        }

        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < sides.Length; i++)
            {
                var side = (i + round) % sides.Length;
                await RedisPairedRun.MeasureAsync(sides[side].Run, block, times[side]);
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"batch of 100, part by part ({rounds * block} calls each, in turn in blocks of {block}):"));
        for (var i = 0; i < sides.Length; i++)
        {
            var sorted = times[i].Order().ToList();
            Console.WriteLine(string.Create(inv, $"  {sides[i].Name}: P50 {RedisPairedRun.Percentile(sorted, 50):N1} us, P99 {RedisPairedRun.Percentile(sorted, 99):N1} us"));
        }
    }
}
