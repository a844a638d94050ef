using System.Diagnostics;
using System.Globalization;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// The peer benchmarks of issue 12 (items 1, 2, 3 and 6: <see cref="PeerReadHitBenchmarks"/>,
/// <see cref="PeerReadRedisBenchmarks"/>, <see cref="PeerReadDatabaseBenchmarks"/>, <see cref="PeerBatchBenchmarks"/>),
/// measured side by side: each round runs every side's benchmark method once, the order rotating every round, so that a
/// shared machine's load swings hit every side alike (BenchmarkDotNet runs one method after the other, and on a busy
/// machine a swing between two methods moves their ratio more than the code does). The classes' own set-up and
/// clean-up run around each comparison, so the same checks apply (a read served from Redis runs no query, a miss one).
/// Reports each side's median and P90 per operation, and Stockpile's ratio to each peer: the ratio of the medians and
/// the median of the ratios measured within one round. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --paired-peers [rounds] [hits|redis|database|batch|parts …] [awaited]</c>
/// (60 rounds and the first four by default; <c>parts</c> takes a string-key hit apart (<see cref="CacheHitPartsBenchmarks"/>); a memory hit is timed over blocks of <see cref="HitsPerBlock"/> calls, its
/// allocations come from BenchmarkDotNet's run of <see cref="PeerReadHitBenchmarks"/>).
/// </summary>
internal static class PeerReadPairedRun
{
    private const int HitsPerBlock = 10_000;

    public static async Task RunAsync(int rounds, IReadOnlyCollection<string> only)
    {
        // `awaited`: Stockpile's shared-tier writes after a miss awaited before the answer (both options off); the
        // default follows the answer, as the library does. `background` (the former opt-in) is the default now.
        PeerSetup.BackgroundWrites = !only.Contains("awaited");
        only = [.. only.Where(static o => o is not ("background" or "awaited"))];
        if (only.Count == 0 || only.Contains("hits"))
        {
            await CompareHitsAsync(rounds);
        }

        if (only.Contains("parts"))
        {
            await CompareHitPartsAsync(rounds);
        }

        if (only.Count == 0 || only.Contains("redis"))
        {
            await CompareRedisAsync(rounds);
        }

        if (only.Count == 0 || only.Contains("database"))
        {
            await CompareDatabaseAsync(rounds);
        }

        if (only.Count == 0 || only.Contains("batch"))
        {
            await CompareBatchAsync(rounds);
        }
    }

    private static async Task CompareHitsAsync(int rounds)
    {
        var hits = new PeerReadHitBenchmarks();
        await WithSetUpAsync(hits.SetupAsync, hits.CleanupAsync, async () =>
        {
            await CompareAsync("Item 1: a memory hit by id (per call, blocks of 10,000)", HitsPerBlock, rounds,
            [
                new("`MemoryCache.TryGetValue`, boxed int key", Calls(hits.MemoryCacheById), Side.Floor),
                new("Stockpile chain `GetAsync<Product, int>`", Calls(hits.StockpileEntityHit), Side.Stockpile),
                new("FusionCache `GetOrSetAsync`", Calls(hits.FusionById), Side.Peer),
                new("FusionCache `GetOrSet` (sync)", Calls(hits.FusionSyncById), Side.Peer),
                new("HybridCache `GetOrCreateAsync` (copied)", Calls(hits.HybridById), Side.Peer),
            ]);
            await CompareAsync("Item 1: a memory hit by string key, mutable `Product` (per call, blocks of 10,000)", HitsPerBlock, rounds,
            [
                new("`MemoryCache.TryGetValue`, string key", Calls(hits.MemoryCacheByKey), Side.Floor),
                new("Stockpile `IStockpileCache.GetOrCreateAsync` (copied)", Calls(hits.StockpileCacheHit), Side.Stockpile),
                new("Stockpile `StockpileCache.GetOrCreateAsync` (copied; sealed class)", Calls(hits.StockpileSealedHit), Side.Stockpile),
                new("FusionCache `GetOrSetAsync` (not copied)", Calls(hits.FusionHit), Side.Peer),
                new("HybridCache `GetOrCreateAsync` (copied)", Calls(hits.HybridHit), Side.Peer),
            ]);
            await CompareAsync("Item 1: a memory hit by string key, immutable type (per call, blocks of 10,000)", HitsPerBlock, rounds,
            [
                new("`MemoryCache.TryGetValue`, string key", Calls(hits.MemoryCacheFrozen), Side.Floor),
                new("Stockpile `IStockpileCache.GetOrCreateAsync`", Calls(hits.StockpileCacheFrozenHit), Side.Stockpile),
                new("Stockpile `StockpileCache.GetOrCreateAsync` (sealed class)", Calls(hits.StockpileSealedFrozenHit), Side.Stockpile),
                new("Stockpile `IStockpileCache.GetOrCreateAsync`, stored forever (no clock read)", Calls(hits.StockpileCacheForeverHit), Side.Stockpile),
                new("Stockpile `StockpileCache.GetOrCreateAsync`, stored forever (sealed class)", Calls(hits.StockpileSealedForeverHit), Side.Stockpile),
                new("Stockpile `IStockpileCache.TryGetLocal` (the non-generic core alone)", Calls(hits.StockpileTryGetLocalHit), Side.Stockpile),
                new("floor: `ConcurrentDictionary<string, object>.TryGetValue` alone", Calls(hits.DictionaryProbe), Side.Stockpile),
                new("FusionCache `GetOrSetAsync`", Calls(hits.FusionFrozenHit), Side.Peer),
                new("HybridCache `GetOrCreateAsync`", Calls(hits.HybridFrozenHit), Side.Peer),
            ]);
        });
    }

    /// <summary>The parts of a string-key hit (<see cref="CacheHitPartsBenchmarks"/>) beside <c>MemoryCache.TryGetValue</c>, in turn: asked for by name only (<c>parts</c>).</summary>
    private static async Task CompareHitPartsAsync(int rounds)
    {
        var parts = new CacheHitPartsBenchmarks();
        parts.Setup();
        try
        {
            await CompareAsync("Item 1, the string-key hit part by part (per call, blocks of 10,000)", HitsPerBlock, rounds,
            [
                new("`MemoryCache.TryGetValue`, string key", Calls(parts.MemoryCacheHit), Side.Floor),
                new("`ConcurrentDictionary<string, object>.TryGetValue`, default comparer", Calls(parts.DefaultComparer), Side.Stockpile),
                new("the same, `StringComparer.Ordinal`", Calls(parts.OrdinalComparerProbe), Side.Stockpile),
                new("the same, a custom ordinal comparer (randomized hashing)", Calls(parts.CustomComparer), Side.Stockpile),
                new("`Environment.TickCount64`", Ticks(parts.TickCount), Side.Stockpile),
                new("`clock_gettime(CLOCK_MONOTONIC_COARSE)` straight into the vDSO (the clock's floor; not used)", Ticks(parts.VdsoCoarse), Side.Stockpile),
                new("`Stopwatch.GetTimestamp` (the exact clock: a value's last 17 ms)", Ticks(parts.ExactClock), Side.Stockpile),
                new("`DateTimeOffset.UtcNow`", Ticks(() => parts.UtcNow().UtcTicks), Side.Stockpile),
                new("the emitted copy of `Product`", Calls(parts.Copy), Side.Stockpile),
                new("hand-written `new Product { ... }`", Calls(parts.HandWrittenCopy), Side.Stockpile),
                new("`RuntimeHelpers.GetUninitializedObject(typeof(Product))`", Calls(parts.Uninitialized), Side.Stockpile),
                new("`MemoryCacheTier.Get`", Calls(parts.TierGet), Side.Stockpile),
                new("`MemoryCacheTier.Get`, a value that never expires", Calls(parts.TierGetForever), Side.Stockpile),
                new("`StockpileCache` (memory) hit, `Product` (copied)", Calls(parts.MemoryProduct), Side.Stockpile),
                new("`StockpileCache` (memory) hit, immutable", Calls(parts.MemoryFrozen), Side.Stockpile),
                new("`StockpileCache` (memory over a shared tier) hit, `Product` (copied)", Calls(parts.LayeredProduct), Side.Stockpile),
                new("`StockpileCache` (memory over a shared tier) hit, immutable", Calls(parts.LayeredFrozen), Side.Stockpile),
                new("the same, a value that never expires (no clock read)", Calls(parts.LayeredForever), Side.Stockpile),
                new("the immutable hit through `IStockpileCache`", Calls(parts.InterfaceFrozen), Side.Stockpile),
                new("the same, a value that never expires, through `IStockpileCache`", Calls(parts.InterfaceForever), Side.Stockpile),
                new("`IStockpileCache.TryGetLocal` (memory over a shared tier) hit, immutable", Calls(parts.InterfaceTryGetLocal), Side.Stockpile),
                new("`IStockpileCache.GetAsync` (memory over a shared tier) hit, immutable", Calls(parts.InterfaceGetFrozen), Side.Stockpile),
            ]);
        }
        finally
        {
            parts.Cleanup();
        }
    }

    /// <summary>A block of <see cref="HitsPerBlock"/> reads of a number (a clock), summed so that none is left out.</summary>
    private static Func<Task> Ticks(Func<long> read) => () =>
    {
        var sum = 0L;
        for (var i = 0; i < HitsPerBlock; i++)
        {
            sum += read();
        }

        return sum == 42 ? Task.FromException(new InvalidOperationException("unreachable")) : Task.CompletedTask;
    };

    /// <summary>Runs a comparison between a benchmark class's own set-up and clean-up (and so under its checks).</summary>
    private static async Task WithSetUpAsync(Func<Task> setup, Func<Task> cleanup, Func<Task> compare)
    {
        await setup();
        try
        {
            await compare();
        }
        finally
        {
            await cleanup();
        }
    }

    /// <summary>A block of <see cref="HitsPerBlock"/> calls of a hit (each answers synchronously).</summary>
    private static Func<Task> Calls<T>(Func<T?> hit)
        where T : class => () =>
        {
            for (var i = 0; i < HitsPerBlock; i++)
            {
                if (hit() is null)
                {
                    throw new InvalidOperationException("A hit benchmark found nothing.");
                }
            }

            return Task.CompletedTask;
        };

    private static async Task CompareRedisAsync(int rounds)
    {
        var redis = new PeerReadRedisBenchmarks();
        await WithSetUpAsync(redis.SetupAsync, redis.CleanupAsync, async () =>
        {
            await CompareAsync("Item 2: a miss served from Redis (per read, blocks of 100)", PeerReadRedisBenchmarks.Block, rounds,
            [
                new("floor: `StringGetAsync` + deserialize", redis.BareRedis, Side.Floor),
                new("Stockpile chain `GetAsync<Product, int>`", redis.StockpileChain, Side.Stockpile),
                new("Stockpile `IStockpileCache.GetOrCreateAsync`", redis.StockpileCache, Side.Stockpile),
                new("FusionCache `GetOrSetAsync`", redis.FusionCache, Side.Peer),
                new("HybridCache `GetOrCreateAsync`", redis.HybridCache, Side.Peer),
            ]);
        });
    }

    private static async Task CompareDatabaseAsync(int rounds)
    {
        var database = new PeerReadDatabaseBenchmarks();
        await WithSetUpAsync(database.SetupAsync, database.CleanupAsync, async () =>
        {
            await CompareAsync("Item 3: a miss served from SQLite, every level empty (per read, blocks of 100)", PeerReadDatabaseBenchmarks.Block, rounds,
            [
                new("floor: the compiled query alone", database.QueryOnly, Side.Floor),
                new("Stockpile chain `GetAsync<Product, int>`", database.StockpileChain, Side.Stockpile),
                new("Stockpile `IStockpileCache.GetOrCreateAsync`", database.StockpileCache, Side.Stockpile),
                new("FusionCache `GetOrSetAsync`", database.FusionCache, Side.Peer),
                new("HybridCache `GetOrCreateAsync`", database.HybridCache, Side.Peer),
            ]);
        });
    }

    private static async Task CompareBatchAsync(int rounds)
    {
        var batch = new PeerBatchBenchmarks();
        await WithSetUpAsync(batch.SetupAsync, batch.CleanupAsync, async () =>
        {
            await CompareAsync("Item 6: a batch of 100, 50 memory hits and 50 SQLite misses (per batch)", 1, rounds,
            [
                new("Stockpile chain `GetManyAsync<Product, int>`", batch.StockpileChainBatch, Side.Stockpile),
                new("Stockpile `IStockpileCache.GetOrCreateManyAsync`", batch.StockpileCacheBatch, Side.Stockpile),
                new("FusionCache: 100 `GetOrSetAsync` in a loop", batch.FusionLoop, Side.Peer),
                new("HybridCache: 100 `GetOrCreateAsync` in a loop", batch.HybridLoop, Side.Peer),
            ]);
        });
    }

    private static async Task CompareAsync(string title, int operations, int rounds, Contender[] sides)
    {
        // Warm-up: long enough for tiered compilation to promote every side's path (30 calls, then a background compile).
        for (var warmup = 0; warmup < 2; warmup++)
        {
            foreach (var side in sides)
            {
                for (var i = 0; i < 20; i++)
                {
                    await side.Run();
                }
            }

            await Task.Delay(500);
        }

        var times = sides.Select(_ => new double[rounds]).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < sides.Length; i++)
            {
                var s = (i + round) % sides.Length;
                var start = Stopwatch.GetTimestamp();
                await sides[s].Run();
                times[s][round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / operations;
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"{title}: {rounds} rounds, the sides in turn, load average {LoadAverage()}"));
        Console.WriteLine();
        Console.WriteLine("| side | median | P90 |");
        var unit = operations >= HitsPerBlock ? "ns" : "µs";
        var scale = operations >= HitsPerBlock ? 1_000 : 1;
        Console.WriteLine("| --- | ---: | ---: |");
        for (var s = 0; s < sides.Length; s++)
        {
            var sorted = times[s].Order().ToArray();
            Console.WriteLine(string.Create(inv, $"| {sides[s].Name} | {Percentile(sorted, 50) * scale:N1} {unit} | {Percentile(sorted, 90) * scale:N1} {unit} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| Stockpile | peer | ratio of medians | median of per-round ratios |");
        Console.WriteLine("| --- | --- | ---: | ---: |");
        for (var s = 0; s < sides.Length; s++)
        {
            if (sides[s].Kind != Side.Stockpile)
            {
                continue;
            }

            for (var p = 0; p < sides.Length; p++)
            {
                if (sides[p].Kind == Side.Stockpile)
                {
                    continue;
                }

                var ofMedians = Percentile([.. times[s].Order()], 50) / Percentile([.. times[p].Order()], 50);
                var perRound = Enumerable.Range(0, rounds).Select(r => times[s][r] / times[p][r]).Order().ToArray();
                Console.WriteLine(string.Create(inv, $"| {sides[s].Name} | {sides[p].Name} | {ofMedians:N2}x | {Percentile(perRound, 50):N2}x |"));
            }
        }
    }

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    internal static double Percentile(double[] sorted, int percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private enum Side
    {
        Floor,
        Stockpile,
        Peer,
    }

    private sealed record Contender(string Name, Func<Task> Run, Side Kind);
}
