using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Where the time of <see cref="PeerSaveRun"/>'s saves goes, step by step, for the plain save, the interceptor
/// (<c>Evict</c>, <c>WriteThrough</c>) and the by-hand eviction: loading the 100 rows tracked and changing them; from
/// <c>SaveChangesAsync</c> called to the save's interceptors run (Stockpile's capture); to the commit (change detection,
/// the statements, the commit); to the saved-changes interceptors run (Stockpile's cache update); to the call
/// returning; and, by hand, the chain's <c>InvalidateAsync</c>. One more side runs <c>Evict</c> with the backplane's
/// message sent after the delete in a round trip of its own (<see cref="PeerBSeparatePublish"/>: as before session 6), and one
/// with <see cref="StockpileOptions.EvictSharedTiersInBackground"/> (its bytes and CPU time include the eviction behind the save). Medians per step, the bytes allocated and the process's
/// CPU time per save (all threads: on a loaded machine the wall times mostly measure the scheduler, the CPU time does
/// not). Sides go in a new random order every round; name sides (exactly) to run only those, one process per side
/// gives the cleanest CPU figures. Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-save-breakdown [rounds] ["side name" ...]</c>.
/// </summary>
internal static class PeerSaveBreakdownRun
{
    private const int Rows = 100;

    public static async Task RunAsync(int rounds, string[] only)
    {
        await using var servers = await PeerBServers.StartAsync();
        var plainMarks = new PeerSaveMarks();
        var evictMarks = new PeerSaveMarks();
        var writeMarks = new PeerSaveMarks();
        var separateMarks = new PeerSaveMarks();
        var behindMarks = new PeerSaveMarks();
        var plain = new PooledDbContextFactory<BenchDbContext>(servers.Database.Options(o => o.AddInterceptors(plainMarks)));
        await using var evict = PeerBStockpile.Create(servers, "breakdown-evict:", StockpileCommitPolicy.Evict, backplane: true, cache: false, evictMarks);
        await using var separate = PeerBSeparatePublish.Apply(PeerBStockpile.Create(servers, "breakdown-separate:", StockpileCommitPolicy.Evict, backplane: true, cache: false, separateMarks));
        await using var behind = PeerBStockpile.Create(servers, "breakdown-behind:", StockpileCommitPolicy.Evict, backplane: true, cache: false, behindMarks, evictInBackground: true);
        await using var write = PeerBStockpile.Create(servers, "breakdown-write:", StockpileCommitPolicy.WriteThrough, backplane: true, cache: false, writeMarks);
        var products = await plain.CreateDbContext().Products.AsNoTracking().Where(p => p.Id < Rows).ToListAsync();
        EntityKey[] keys = [.. products.SelectMany(static p => new[] { EntityKey.For<Product>(p.Id), EntityKey.Of<Product>(nameof(Product.Sku), p.Sku) })];

        Side[] sides =
        [
            new(0, "plain SaveChanges", plain, plainMarks, null),
            new(1, "interceptor, Evict", evict.Contexts, evictMarks, null),
            new(2, "interceptor, WriteThrough", write.Contexts, writeMarks, null),
            new(3, "plain SaveChanges + chain InvalidateAsync by hand", plain, plainMarks, () => evict.Chain.InvalidateAsync(keys)),
            new(4, "interceptor, Evict, publish after the delete", separate.Contexts, separateMarks, null),
            new(5, "interceptor, Evict, Redis evicted in the background", behind.Contexts, behindMarks, null, () => behind.Chain.SettleAsync(CancellationToken.None)),
        ];

        if (only.Length > 0)
        {
            sides = [.. sides.Where(s => only.Any(o => s.Name.Equals(o, StringComparison.OrdinalIgnoreCase)))];
        }

        // A new random order every round: a save may leave work behind (a backplane message, a WAL page), which must
        // not always land on the same next side.
        var random = new Random(12);
        var warmup = Math.Max(rounds / 5, 20);
        var round = 0;
        for (var r = -warmup; r < rounds; r++)
        {
            random.Shuffle(sides);
            foreach (var side in sides)
            {
                await side.SaveAsync(++round, measure: r >= 0);
            }
        }

        Console.WriteLine($"peer save breakdown: medians per step in ms ({rounds} saves per side after {warmup} warm-up rounds; sides in a random order each round):");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"side",-50} {"load",7} {"capture",8} {"database",9} {"update",7} {"return",7} {"by hand",8} {"save",7} {"total",7} {"KB",6} {"CPU p50",8} {"CPU mean",8}"));
        foreach (var side in sides.OrderBy(static s => s.Order))
        {
            Console.WriteLine(side.Summary());
        }
    }

    /// <remarks><paramref name="settle"/>: waits for what the save left to the background, after its times were taken and before its CPU time is (so the CPU figure includes that work, and the next side does not meet it).</remarks>
    private sealed class Side(int order, string name, IDbContextFactory<BenchDbContext> contexts, PeerSaveMarks marks, Func<ValueTask>? byHand, Func<ValueTask<bool>>? settle = null)
    {
        public int Order => order;

        public string Name => name;

        private static readonly Process s_process = Process.GetCurrentProcess();

        private readonly List<double>[] _steps = [.. Enumerable.Range(0, 9).Select(static _ => new List<double>())];

        public async Task SaveAsync(int round, bool measure)
        {
            var allocated = GC.GetTotalAllocatedBytes();
            var cpu = s_process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            await using var context = await contexts.CreateDbContextAsync();
            var rows = await context.Products.Where(p => p.Id < Rows).ToListAsync();
            foreach (var row in rows)
            {
                row.Name = $"Product {row.Id} b{round}";
            }

            var called = Stopwatch.GetTimestamp();
            if (await context.SaveChangesAsync() != Rows)
            {
                throw new InvalidOperationException(name + " did not save 100 rows.");
            }

            var returned = Stopwatch.GetTimestamp();
            if (byHand is not null)
            {
                await byHand();
            }

            var end = Stopwatch.GetTimestamp();
            if (settle is not null)
            {
                _ = await settle();
            }

            if (measure)
            {
                long[] times = [start, called, marks.Saving, marks.Committed, marks.Saved, returned, end];
                for (var i = 0; i < times.Length - 1; i++)
                {
                    _steps[i].Add(Stopwatch.GetElapsedTime(times[i], times[i + 1]).TotalMilliseconds);
                }

                _steps[6].Add(Stopwatch.GetElapsedTime(called, end).TotalMilliseconds);
                _steps[7].Add((GC.GetTotalAllocatedBytes() - allocated) / 1024.0);
                _steps[8].Add((s_process.TotalProcessorTime - cpu).TotalMilliseconds);
            }
        }

        public string Summary()
        {
            var m = _steps.Select(static s => RedisPairedRun.Percentile([.. s.Order()], 50)).ToArray();
            var total = RedisPairedRun.Percentile([.. _steps[0].Zip(_steps[6], static (a, b) => a + b).Order()], 50);
            return string.Create(CultureInfo.InvariantCulture, $"  {name,-50} {m[0],7:N3} {m[1],8:N3} {m[2],9:N3} {m[3],7:N3} {m[4],7:N3} {m[5],8:N3} {m[6],7:N3} {total,7:N3} {m[7],6:N0} {m[8],8:N3} {_steps[8].Average(),8:N3}");
        }
    }
}
