using System.Diagnostics;
using System.Globalization;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 2 (a chain read that misses memory and hits Redis), part by part: the same 100 products read per
/// block by a bare <c>GET</c> + deserialize, by the Redis store's own get, by the Redis store as the chain reads it (the
/// chain-to-tier protocol: the lease's <c>TIME</c> beside the read), by the chain with its memory tier emptied before
/// the block, by the cache's Redis tier as a get-or-create reads it (the entry, its fence and the flush fence), by the
/// cache with its memory level emptied before the block, and by the peers. The parts run in turn, one block each per round, the order rotating, as in
/// <see cref="PeerReadPairedRun"/>; reports each part's median and P90 per read, the bytes the process allocated per read, and the thread-pool work items
/// run per read (<see cref="ThreadPool.CompletedWorkItemCount"/>: each is a hop a read's continuation may wait for). Run
/// with <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-chain-read [rounds]</c>.
/// </summary>
internal static class PeerChainReadBreakdownRun
{
    public static async Task RunAsync(int rounds)
    {
        var redis = new PeerReadRedisBenchmarks();
        await redis.SetupAsync();
        try
        {
            var setup = redis.Setup;
            var store = setup.Chain.Tiers[1];
            var keys = Enumerable.Range(0, PeerReadRedisBenchmarks.Block).Select(static id => EntityKey.For<Product>(id)).ToArray();
            var cacheRedis = ((Stockpile.Internal.Caching.LayeredCacheTier)((StockpileCache)setup.Cache).Tier).Shared;
            var cacheKeys = Enumerable.Range(0, PeerReadRedisBenchmarks.Block).Select(PeerSetup.KeyOf).ToArray();
            (string Name, Func<Task> Run)[] parts =
            [
                ("floor: `StringGetAsync` + deserialize", redis.BareRedis),
                ("Redis store `GetAsync<Product, int>`", async () =>
                {
                    for (var id = 0; id < PeerReadRedisBenchmarks.Block; id++)
                    {
                        _ = (await store.GetAsync<Product, int>(id))!.Id;
                    }
                }),
                ("Redis store, read for a chain (with the lease)", async () =>
                {
                    foreach (var key in keys)
                    {
                        _ = ((Product)(await store.ReadForChainAsync(key, default)).Value!).Id;
                    }
                }),
                ("Stockpile chain `GetAsync<Product, int>`", redis.StockpileChain),
                ("the cache's Redis tier, a read for a get-or-create (a hit, with its mark)", async () =>
                {
                    foreach (var key in cacheKeys)
                    {
                        _ = (await cacheRedis.ReadForMakeAsync(key, default)).Entry ?? throw new InvalidOperationException("The cache's Redis tier was to hit.");
                    }
                }),
                ("Stockpile cache `GetOrCreateAsync`", redis.StockpileCache),
                ("FusionCache `GetOrSetAsync`", redis.FusionCache),
                ("HybridCache `GetOrCreateAsync`", redis.HybridCache),
            ];
            await MeasureInTurnAsync("Item 2, the chain's read served from Redis", parts, rounds);
        }
        finally
        {
            await redis.CleanupAsync();
        }
    }

    /// <summary>
    /// Runs one side alone for <paramref name="seconds"/>, for a sampling profiler (<c>DOTNET_PerfMapEnabled=1</c>, then
    /// <c>perf record -g -p &lt;pid printed&gt;</c>): <c>chain</c>, <c>fusion</c>, <c>hybrid</c> or <c>floor</c>.
    /// Run with <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-chain-read-profile chain 20</c>.
    /// </summary>
    public static async Task ProfileAsync(string side, int seconds)
    {
        var redis = new PeerReadRedisBenchmarks();
        await redis.SetupAsync();
        try
        {
            Func<Task> run = side switch
            {
                "chain" => redis.StockpileChain,
                "fusion" => redis.FusionCache,
                "hybrid" => redis.HybridCache,
                "floor" => redis.BareRedis,
                _ => throw new ArgumentException("chain, fusion, hybrid or floor", nameof(side)),
            };
            await PeerChainMissBreakdownRun.RunForProfilerAsync(side, run, 200, seconds, PeerReadRedisBenchmarks.Block);
        }
        finally
        {
            await redis.CleanupAsync();
        }
    }

    /// <summary>
    /// Runs the parts in turn, one block each per round, the order rotating; prints a table under <paramref name="title"/>.
    /// With <paramref name="serverCpu"/> (the redis-server's CPU seconds so far, read outside the timed block), the table
    /// adds the CPU time per read of this process and of the server: what a part costs the machine's two cores,
    /// whatever else runs on them.
    /// </summary>
    internal static async Task MeasureInTurnAsync(string title, (string Name, Func<Task> Run)[] parts, int rounds, Func<Task<double>>? serverCpu = null)
    {
        for (var warmup = 0; warmup < 2; warmup++)
        {
            foreach (var (_, run) in parts)
            {
                for (var i = 0; i < 20; i++)
                {
                    await run();
                }
            }

            await Task.Delay(500);
        }

        var times = parts.Select(_ => new double[rounds]).ToArray();
        var hops = parts.Select(_ => new double[rounds]).ToArray();
        var bytes = parts.Select(_ => new double[rounds]).ToArray();
        var cpu = parts.Select(_ => new double[rounds]).ToArray();
        var server = parts.Select(_ => new double[rounds]).ToArray();
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < parts.Length; i++)
            {
                var p = (i + round) % parts.Length;
                var serverBefore = serverCpu is null ? 0 : await serverCpu();
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var items = ThreadPool.CompletedWorkItemCount;
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var start = Stopwatch.GetTimestamp();
                await parts[p].Run();
                times[p][round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / PeerReadRedisBenchmarks.Block;
                hops[p][round] = (ThreadPool.CompletedWorkItemCount - items) / (double)PeerReadRedisBenchmarks.Block;
                bytes[p][round] = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)PeerReadRedisBenchmarks.Block;
                process.Refresh();
                cpu[p][round] = (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / PeerReadRedisBenchmarks.Block;
                server[p][round] = serverCpu is null ? 0 : (await serverCpu() - serverBefore) * 1e6 / PeerReadRedisBenchmarks.Block;
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"{title}, part by part: {rounds} rounds, in turn, load average {PeerReadPairedRun.LoadAverage()}"));
        Console.WriteLine();
        var cpuColumns = serverCpu is null ? string.Empty : " process CPU per read (median) | redis-server CPU per read (median) |";
        Console.WriteLine("| part | median | P90 | thread-pool items per read (median) | bytes allocated per read, whole process (median) |" + cpuColumns);
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |" + (serverCpu is null ? string.Empty : " ---: | ---: |"));
        for (var p = 0; p < parts.Length; p++)
        {
            var sorted = times[p].Order().ToArray();
            var cpuCells = serverCpu is null ? string.Empty : string.Create(inv, $" {PeerReadPairedRun.Percentile([.. cpu[p].Order()], 50):N1} µs | {PeerReadPairedRun.Percentile([.. server[p].Order()], 50):N1} µs |");
            Console.WriteLine(string.Create(inv, $"| {parts[p].Name} | {PeerReadPairedRun.Percentile(sorted, 50):N1} µs | {PeerReadPairedRun.Percentile(sorted, 90):N1} µs | {PeerReadPairedRun.Percentile([.. hops[p].Order()], 50):N2} | {PeerReadPairedRun.Percentile([.. bytes[p].Order()], 50):N0} |") + cpuCells);
        }
    }
}
