using System.Diagnostics;
using System.Globalization;

namespace Stockpile.Benchmarks;

/// <summary>
/// The <see cref="RedisStoreBenchmarks"/> read methods measured call by call, the store and its peer in alternating
/// blocks (the order switching every round), so that both see the same load on a shared machine: BenchmarkDotNet runs
/// one method after the other, and a load swing between them moves the ratio more than the code does. Reports each
/// side's per-call P50, P99 and mean, and their ratios. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --paired-redis</c>.
/// </summary>
internal static class RedisPairedRun
{
    public static async Task RunAsync()
    {
        var benchmarks = new RedisStoreBenchmarks();
        await benchmarks.SetupAsync();
        try
        {
            await CompareAsync("get by primary key", "StringGetAsync + deserialize", benchmarks.BareGet, "RedisStore.GetAsync", benchmarks.StoreGet, rounds: 60, block: 50);
            await CompareAsync("batch of 100", "MGET + deserialize", benchmarks.BareBatch, "RedisStore.GetManyAsync", benchmarks.StoreBatch, rounds: 60, block: 20);
            await CompareAsync("100 gets", "100 sequential RedisStore.GetAsync", benchmarks.StoreSequential100, "RedisStore.GetManyAsync of 100", benchmarks.StoreBatch, rounds: 30, block: 3);
        }
        finally
        {
            await benchmarks.CleanupAsync();
        }
    }

    private static async Task CompareAsync(string name, string peerName, Func<Task> peer, string storeName, Func<Task> store, int rounds, int block)
    {
        var peerTimes = new List<double>(rounds * block);
        var storeTimes = new List<double>(rounds * block);
        await MeasureAsync(peer, block * 4, null);
        await MeasureAsync(store, block * 4, null);
        for (var round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                await MeasureAsync(peer, block, peerTimes);
                await MeasureAsync(store, block, storeTimes);
            }
            else
            {
                await MeasureAsync(store, block, storeTimes);
                await MeasureAsync(peer, block, peerTimes);
            }
        }

        peerTimes.Sort();
        storeTimes.Sort();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"paired {name} ({peerTimes.Count} calls each, alternating blocks of {block}):"));
        Console.WriteLine(string.Create(inv, $"  {peerName}: P50 {Percentile(peerTimes, 50):N1} us, P99 {Percentile(peerTimes, 99):N1} us, mean {peerTimes.Average():N1} us"));
        Console.WriteLine(string.Create(inv, $"  {storeName}: P50 {Percentile(storeTimes, 50):N1} us, P99 {Percentile(storeTimes, 99):N1} us, mean {storeTimes.Average():N1} us"));
        Console.WriteLine(string.Create(inv, $"  ratio {storeName} / {peerName}: P50 {Percentile(storeTimes, 50) / Percentile(peerTimes, 50):N2}x, P99 {Percentile(storeTimes, 99) / Percentile(peerTimes, 99):N2}x, mean {storeTimes.Average() / peerTimes.Average():N2}x (the peer takes {Percentile(peerTimes, 50) / Percentile(storeTimes, 50):N1}x the store's P50)"));
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
