using System.Diagnostics;
using System.Globalization;

namespace Stockpile.Benchmarks;

/// <summary>
/// The <see cref="RedisBatchBreakdownBenchmarks"/> parts measured call by call in turn (each part one block per round,
/// the order rotating every round), so that a shared machine's load swings hit every part alike: BenchmarkDotNet runs
/// one method after the other, and on a busy machine the swing between methods is larger than the parts themselves.
/// Reports each part's per-call P50 and P99. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --redis-batch-breakdown</c>.
/// </summary>
internal static class RedisBatchBreakdownRun
{
    public static async Task RunAsync()
    {
        var parts = new RedisBatchBreakdownBenchmarks();
        await parts.SetupAsync();
        try
        {
            (string Name, Func<Task> Run)[] sides =
            [
                ("one round trip (PING)", parts.RoundTrip),
                ("MGET of 100, decoded to RedisValue[]", parts.MultiGetDecoded),
                ("MGET of 100, reply left undecoded (ExecuteRespAsync)", parts.MultiGetUndecoded),
                ("write 100 keys", () => { parts.WriteKeys(); return Task.CompletedTask; }),
                ("deserialize 100, JsonSerializer.Deserialize<T>", () => { parts.DeserializeGeneric(); return Task.CompletedTask; }),
                ("deserialize 100, cached JsonTypeInfo<T>", () => { parts.DeserializeTypeInfo(); return Task.CompletedTask; }),
                ("deserialize 100, the store's serializer", () => { parts.DeserializeSerializer(); return Task.CompletedTask; }),
                ("read 100 stored values (type header + serializer)", () => { parts.ReadStored(); return Task.CompletedTask; }),
                ("RedisStore.GetManyAsync of 100", parts.StoreBatch),
            ];
            await MeasureInTurnAsync(sides, rounds: 40, block: 10);
        }
        finally
        {
            await parts.CleanupAsync();
        }
    }

    private static async Task MeasureInTurnAsync((string Name, Func<Task> Run)[] sides, int rounds, int block)
    {
        var times = sides.Select(_ => new List<double>(rounds * block)).ToArray();
        for (var warmup = 0; warmup < 2; warmup++)
        {
            foreach (var (_, run) in sides)
            {
                await MeasureAsync(run, 100, null);
            }

            await Task.Delay(500);
        }

        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < sides.Length; i++)
            {
                var side = (i + round) % sides.Length;
                await MeasureAsync(sides[side].Run, block, times[side]);
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"batch of 100, part by part ({rounds * block} calls each, in turn in blocks of {block}):"));
        for (var i = 0; i < sides.Length; i++)
        {
            var sorted = times[i].Order().ToList();
            Console.WriteLine(string.Create(inv, $"  {sides[i].Name}: P50 {Percentile(sorted, 50):N1} us, P99 {Percentile(sorted, 99):N1} us"));
        }
    }

    private static async Task MeasureAsync(Func<Task> call, int count, List<double>? times)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            times?.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }

    private static double Percentile(List<double> sorted, int percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
