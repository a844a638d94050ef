using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Redis.Backplane;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// <see cref="PeerBackplaneRun"/>'s delay taken apart, step by step (issue 12, item 4): Stockpile's entity chain
/// (interceptor <c>Evict</c>, the shared tiers' eviction awaited by the save, then left to the background) and
/// FusionCache (<c>SaveChangesAsync</c> + <c>RemoveAsync</c>), each an A and a B instance over the same redis-server and
/// SQLite file. Per round, the moments: A calls <c>SaveChangesAsync</c>; the save's interceptors ran (Stockpile's capture
/// done); the commit; the saved-changes interceptors ran (Stockpile's cache update done); A's calls returned; A's
/// message published (Stockpile: the delete script's reply; FusionCache: its publish's reply, with sync event handlers);
/// the message seen by an observer connection of its own (the same handler for both libraries: when the message was on
/// the wire); B's handler received it (Stockpile: decoded; FusionCache: its <c>MessageReceived</c> event); B's memory
/// tier evicted (Stockpile); B's first read that was not a memory hit started (a read whose task did not complete at
/// once), and the read that saw the new value ended; plus B's database queries per round (1: the read went to SQLite).
/// B polls exactly as in <see cref="PeerBackplaneRun"/> (<c>Thread.Yield()</c> between reads), for every side alike.
/// Sides go in a new random order every round. Medians of each step (per-round differences), in ms; then the server's
/// time per command (<see cref="PeerBServerTimes"/>: from its slow log at 0 µs, which logs each command a script calls
/// and so slows the scripts more than single commands; with <c>no-slowlog</c> after the rounds, from <c>INFO
/// commandstats</c> instead), and the tail (<see cref="PeerBTail"/>). Run with
/// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-backplane-breakdown [rounds] [no-slowlog]</c>.
/// </summary>
internal static class PeerBackplaneBreakdownRun
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(int rounds, bool noSlowLog = false)
    {
        await using var servers = await PeerBServers.StartAsync();
        using var timeline = new PeerBTimeline();
        var awaitedMarks = new PeerBStatementMarks();
        var behindMarks = new PeerBStatementMarks();
        var plainMarks = new PeerBStatementMarks();
        var awaitedQueries = new PeerBQueryCounter();
        var behindQueries = new PeerBQueryCounter();
        var fusionQueries = new PeerBQueryCounter();
        await using var awaitedA = PeerBStockpile.Create(servers, "bd-awaited:", StockpileCommitPolicy.Evict, backplane: true, cache: false, awaitedMarks, evictInBackground: false);
        await using var awaitedB = PeerBStockpile.Create(servers, "bd-awaited:", StockpileCommitPolicy.Evict, backplane: true, cache: false, awaitedQueries, evictInBackground: false, loggers: timeline);
        await using var behindA = PeerBStockpile.Create(servers, "bd-behind:", StockpileCommitPolicy.Evict, backplane: true, cache: false, behindMarks, evictInBackground: true);
        await using var behindB = PeerBStockpile.Create(servers, "bd-behind:", StockpileCommitPolicy.Evict, backplane: true, cache: false, behindQueries, evictInBackground: true, loggers: timeline);
        using var fusionA = PeerBFusion.Create(servers, "fc-breakdown", syncEvents: true);
        using var fusionB = PeerBFusion.Create(servers, "fc-breakdown", syncEvents: true);
        fusionA.Events.Backplane.MessagePublished += static (_, _) => PeerBTimeline.Mark(ref PeerBTimeline.Current.Published);
        fusionB.Events.Backplane.MessageReceived += static (_, _) => PeerBTimeline.Mark(ref PeerBTimeline.Current.Received);
        var plainA = new PooledDbContextFactory<BenchDbContext>(servers.Database.Options(o => o.AddInterceptors(plainMarks)));
        var plainB = new PooledDbContextFactory<BenchDbContext>(servers.Database.Options(o => o.AddInterceptors(fusionQueries)));

        // The observer: one connection of its own, one handler for every channel, so both libraries' messages are timed alike.
        await using var observer = await ConnectionMultiplexer.ConnectAsync(servers.Redis.ConnectionString + ",allowAdmin=true");
        var serverTimes = new PeerBServerTimes(observer.GetServers()[0]);
        foreach (var channel in new[] { ChannelOf(awaitedB), ChannelOf(behindB), RedisChannel.Pattern("fc-breakdown*") })
        {
            (await observer.GetSubscriber().SubscribeAsync(channel)).OnMessage(static _ => PeerBTimeline.Mark(ref PeerBTimeline.Current.Wire));
        }

        Side[] sides =
        [
            new(0, "Stockpile chain Evict, eviction awaited", 1, awaitedMarks, awaitedQueries, (id, name) => SaveAsync(awaitedA.Contexts, id, name, static _ => default),
                id => awaitedB.Chain.GetAsync<Product, int>(id)),
            new(1, "Stockpile chain Evict, Redis in the background", 2, behindMarks, behindQueries, (id, name) => SaveAsync(behindA.Contexts, id, name, static _ => default),
                id => behindB.Chain.GetAsync<Product, int>(id)),
            new(2, "FusionCache SaveChanges + RemoveAsync", 3, plainMarks, fusionQueries, (id, name) => SaveAsync(plainA, id, name, key => fusionA.RemoveAsync(key)),
                id => fusionB.GetOrSetAsync<Product?>(PeerBQueries.Key(id), (_, ct) => PeerBQueries.ByIdAsync(plainB, id, ct))),
        ];

        var random = new Random(8);
        var warmup = Math.Max(rounds / 10, 20);
        for (var round = -warmup; round < rounds; round++)
        {
            if (round == 0)
            {
                await (noSlowLog ? serverTimes.StartStatsAsync() : serverTimes.StartAsync());
            }

            random.Shuffle(sides);
            foreach (var side in sides)
            {
                await side.RoundAsync(timeline, round, measure: round >= 0);

                // B's own work after its read (FusionCache's background set and message, Stockpile's back-fill) ends before the next side starts.
                await awaitedB.Chain.SettleAsync(CancellationToken.None);
                await behindB.Chain.SettleAsync(CancellationToken.None);
                await behindA.Chain.SettleAsync(CancellationToken.None);
                await Task.Delay(1);
            }
        }

        Console.WriteLine($"peer backplane delay, step by step: medians of each step in ms ({rounds} rounds per side after {warmup} warm-up rounds; sides in a random order each round; B polls with Thread.Yield between reads):");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"step",-62} {sides.OrderBy(static s => s.Order).Select(static s => s.Short.PadLeft(10)).Aggregate(static (a, b) => a + " " + b)}"));
        foreach (var (label, step) in Side.Steps)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-62} {sides.OrderBy(static s => s.Order).Select(s => s.Median(step)).Aggregate(static (a, b) => a + " " + b)}"));
        }

        foreach (var side in sides.OrderBy(static s => s.Order))
        {
            Console.WriteLine(side.Footnote());
        }

        Console.WriteLine("the tail: where the slow rounds (at or above each side's P95) lost their time, stage by stage (ms):");
        foreach (var side in sides.OrderBy(static s => s.Order))
        {
            PeerBTail.Report(side.Name, side.Rounds);
        }

        await (noSlowLog ? serverTimes.ReportStatsAsync() : serverTimes.ReportAsync(rounds / 2));
    }

    /// <summary>
    /// A's eviction alone, one side at a time, for a profiler: <paramref name="count"/> evictions of one product (its two
    /// look-ups) by the chain's <c>InvalidateAsync</c> (its delete-and-publish script), then as many FusionCache
    /// <c>RemoveAsync</c> calls; per call the wall time (median), the process's CPU time and the bytes allocated. Run with
    /// <c>dotnet run -c Release --project benchmarks/Stockpile.Benchmarks -- --peer-backplane-evict [count]</c>.
    /// </summary>
    public static async Task EvictAsync(int count, string? only = null)
    {
        await using var servers = await PeerBServers.StartAsync();
        await using var a = PeerBStockpile.Create(servers, "ev:", StockpileCommitPolicy.Evict, backplane: true, cache: false, evictInBackground: false);
        await using var b = PeerBStockpile.Create(servers, "ev:", StockpileCommitPolicy.Evict, backplane: true, cache: false, evictInBackground: false);
        using var fusionA = PeerBFusion.Create(servers, "fc-ev");
        using var fusionB = PeerBFusion.Create(servers, "fc-ev");
        EntityKey[] keys = [EntityKey.For<Product>(7), EntityKey.Of<Product>(nameof(Product.Sku), "SKU-00007")];
        Console.WriteLine($"pid {Environment.ProcessId}");
        for (var run = 0; run < 2; run++)
        {
            if (only is null or "stockpile")
            {
                await MeasureAsync("Stockpile chain InvalidateAsync (Id and Sku)", count, () => a.Chain.InvalidateAsync(keys));
            }

            if (only is null or "fusion")
            {
                await MeasureAsync("FusionCache RemoveAsync", count, () => fusionA.RemoveAsync("product:7"));
            }
        }
    }

    private static async Task MeasureAsync(string name, int count, Func<ValueTask> call)
    {
        var process = Process.GetCurrentProcess();
        var times = new List<double>(count);
        for (var i = 0; i < count / 10; i++)
        {
            await call();
        }

        await Task.Delay(100);
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        await Task.Delay(100);
        process.Refresh();
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-50} median {RedisPairedRun.Percentile(times, 50):N3} ms, CPU {(process.TotalProcessorTime - cpu).TotalMicroseconds / count,7:N1} µs, {(GC.GetTotalAllocatedBytes() - bytes) / (double)count,7:N0} B per call (both instances' threads; FusionCache's background publish included)"));
    }

    private static RedisChannel ChannelOf(PeerBStockpile instance) =>
        RedisChannel.Literal(((RedisBackplane)instance.Services.GetRequiredService<IStockpileBackplane>()).ChannelName);

    /// <summary>A's commit: the row loaded tracked and renamed; then <c>SaveChangesAsync</c> and what the library's user calls after it, timed.</summary>
    private static async Task SaveAsync(IDbContextFactory<BenchDbContext> contexts, int id, string name, Func<string, ValueTask> afterSave)
    {
        await using var context = await contexts.CreateDbContextAsync();
        var row = await context.Products.SingleAsync(p => p.Id == id);
        row.Name = name;
        PeerBTimeline.Current.Called = Stopwatch.GetTimestamp();
        await context.SaveChangesAsync();
        await afterSave(PeerBQueries.Key(id));
        PeerBTimeline.Current.Returned = Stopwatch.GetTimestamp();
    }

    private sealed class Side(int order, string name, int id, PeerBStatementMarks marks, PeerBQueryCounter queries, Func<int, string, Task> commit, Func<int, ValueTask<Product?>> readB)
    {
        /// <summary>The steps: a label and the two moments it lies between (the first moment present, for a list).</summary>
        public static readonly (string Label, Func<PeerBTimeline.Round, double?> Step)[] Steps =
        [
            ("capture: SaveChangesAsync called -> save interceptors ran", r => Between(r.Called, r.Saving)),
            ("database: -> committed", r => Between(r.Saving, r.Committed)),
            ("cache update: committed -> saved-changes interceptors ran", r => Between(r.Committed, r.Saved)),
            ("A's calls returned, from the commit", r => Between(r.Committed, r.Returned)),
            ("A's message published (reply), from the commit", r => Between(r.Committed, r.Published)),
            ("message on the wire (observer), from the commit", r => Between(r.Committed, r.Wire)),
            ("B received it, from the wire", r => Between(r.Wire, r.Received)),
            ("B's memory evicted, from received", r => Between(r.Received, r.Evicted)),
            ("B's first read past memory started, from evicted/received", r => Between(r.Evicted != 0 ? r.Evicted : r.Received, r.MissStart)),
            ("B's read that saw the new value (start -> end)", r => Between(r.ReadStart, r.Seen)),
            ("B saw it, from the commit", r => Between(r.Committed, r.Seen)),
            ("B saw it, from the wire", r => Between(r.Wire, r.Seen)),
            ("B saw it, from A's calls returned", r => Between(r.Returned, r.Seen)),
            ("B saw it, from SaveChangesAsync called (item 4)", r => Between(r.Called, r.Seen)),
        ];

        private readonly List<PeerBTimeline.Round> _rounds = [];
        private int _timeouts;

        public int Order => order;

        public string Name => name;

        public IReadOnlyList<PeerBTimeline.Round> Rounds => _rounds;

        public string Short => order switch
        {
            0 => "awaited",
            1 => "behind",
            _ => "FusionCache",
        };

        public async Task RoundAsync(PeerBTimeline timeline, int round, bool measure)
        {
            var before = (await readB(id))?.Name;
            var name = $"{id} bd{round}";
            if (before == name)
            {
                throw new InvalidOperationException($"B already sees '{name}' before the commit.");
            }

            queries.Reset();
            var paused = GC.GetTotalPauseDuration();
            var moments = timeline.Begin();
            await commit(id, name);
            moments.Saving = marks.Saving;
            moments.Committed = marks.Committed;
            moments.Saved = marks.Saved;
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                var read = readB(id);
                var completed = read.IsCompleted;
                if (!completed && moments.MissStart == 0)
                {
                    moments.MissStart = start;
                }

                var seen = (await read)?.Name;
                if (seen == name)
                {
                    moments.ReadStart = start;
                    moments.Seen = Stopwatch.GetTimestamp();
                    break;
                }

                moments.Polls++;
                if (Stopwatch.GetElapsedTime(moments.Returned) > s_timeout)
                {
                    _timeouts++;
                    return;
                }

                Thread.Yield();
            }

            moments.Queries = queries.Count;
            moments.GcPauseTicks = (GC.GetTotalPauseDuration() - paused).Ticks;
            moments.PoolThreads = ThreadPool.ThreadCount;
            if (measure)
            {
                _rounds.Add(moments);
            }
        }

        public string Median(Func<PeerBTimeline.Round, double?> step)
        {
            var values = _rounds.Select(step).Where(static v => v is not null).Select(static v => v!.Value).Order().ToList();
            return values.Count == 0 ? "n/a".PadLeft(10) : string.Create(CultureInfo.InvariantCulture, $"{RedisPairedRun.Percentile(values, 50),10:N3}");
        }

        public string Footnote()
        {
            var fromCall = _rounds.Select(static r => Stopwatch.GetElapsedTime(r.Called, r.Seen).TotalMilliseconds).Order().ToList();
            return string.Create(CultureInfo.InvariantCulture, $"  {name}: {_rounds.Count} rounds, item 4 P99 {RedisPairedRun.Percentile(fromCall, 99):N3} ms; B's stale reads per round {_rounds.Average(static r => r.Polls):N1}; B's database queries per round {_rounds.Average(static r => r.Queries):N2}; timeouts {_timeouts}");
        }

        private static double? Between(long from, long to) => from == 0 || to == 0 ? null : Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
    }
}
