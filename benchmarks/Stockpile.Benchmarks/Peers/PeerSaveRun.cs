using System.Diagnostics;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// The <see cref="PeerSaveBenchmarks"/> saves measured save by save, the sides taking turns round by round (in a new
/// random order every round), so that a shared machine's load swings hit every side alike: BenchmarkDotNet runs one method
/// after the other, and on this machine the load moved between them by more than the interceptor costs. Reports each
/// side's median, P99 and mean, and its ratio to the plain save. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-save [rounds] [cached]</c>.
/// With <c>cached</c>, before each of its saves (outside the timed part) every side with a cache reads the 100 rows
/// through it, so they are in its memory and in Redis when the save evicts or writes them, as in production
/// (<see cref="PeerSaveBenchmarks.CacheRowsBefore"/>); without it, the rows are never read through a cache, so the
/// evictions find nothing.
/// </summary>
internal static class PeerSaveRun
{
    public static async Task RunAsync(int rounds, bool cached = false)
    {
        var benchmarks = new PeerSaveBenchmarks();
        await benchmarks.SetupAsync();
        try
        {
            (PeerBSamples Samples, Func<Task<int>> Save, Func<Task>? Cache)[] sides =
            [
                Side("plain SaveChanges, 100 rows, no cache", benchmarks.Plain, nameof(benchmarks.Plain)),
                Side("Stockpile interceptor, memory + Redis chain + backplane, Evict", benchmarks.StockpileEvict, nameof(benchmarks.StockpileEvict)),
                Side("Stockpile interceptor, memory + Redis chain + backplane, Evict, Redis evicted in the background", benchmarks.StockpileEvictInBackground, nameof(benchmarks.StockpileEvictInBackground)),
                Side("Stockpile interceptor, memory + Redis chain + backplane, WriteThrough", benchmarks.StockpileWriteThrough, nameof(benchmarks.StockpileWriteThrough)),
                Side("Stockpile without the interceptor: SaveChanges, then the chain's InvalidateAsync of the 200 keys", benchmarks.StockpileInvalidateByHand, nameof(benchmarks.StockpileInvalidateByHand)),
                Side("FusionCache: SaveChanges, then RemoveAsync of the 100 keys", benchmarks.FusionRemove, nameof(benchmarks.FusionRemove)),
                Side("HybridCache: SaveChanges, then RemoveAsync of the 100 keys", benchmarks.HybridRemove, nameof(benchmarks.HybridRemove)),
            ];
            // Warm-up long enough for tiered compilation to promote the save paths (a save runs each once): after 5
            // rounds EF Core's and Stockpile's per-save code still ran unoptimized. A new random order every round: a
            // rotation always put the same side after the same side, which then met what that one left behind (a
            // backplane message, JIT work).
            var warmup = Math.Max(rounds / 3, 20);
            var random = new Random(8);
            var order = sides.ToArray();
            for (var round = 0; round < rounds + warmup; round++)
            {
                random.Shuffle(order);
                foreach (var (samples, save, cache) in order)
                {
                    if (cache is not null)
                    {
                        await cache();
                    }

                    var start = Stopwatch.GetTimestamp();
                    if (await save() != 100)
                    {
                        throw new InvalidOperationException(samples.Name + " did not save 100 rows.");
                    }

                    if (round >= warmup)
                    {
                        samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
            }

            Console.WriteLine($"peer save: SaveChanges of 100 modified rows, {(cached ? "the rows read through each side's cache (memory and Redis) before each save" : "the rows never read through a cache")} ({rounds} saves per side after {warmup} warm-up rounds; sides in a random order each round):");
            foreach (var (samples, _, _) in sides)
            {
                Console.WriteLine($"  {samples}");
            }

            Console.WriteLine("ratios to the plain save:");
            foreach (var (samples, _, _) in sides[1..])
            {
                Console.WriteLine($"  {samples.RatioTo(sides[0].Samples)}");
            }
        }
        finally
        {
            await benchmarks.CleanupAsync();
        }

        (PeerBSamples, Func<Task<int>>, Func<Task>?) Side(string name, Func<Task<int>> save, string benchmark) =>
            (new(name), save, cached ? benchmarks.CacheRowsBefore(benchmark) : null);
    }
}
