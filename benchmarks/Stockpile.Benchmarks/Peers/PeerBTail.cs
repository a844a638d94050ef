using System.Diagnostics;
using System.Globalization;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Where <see cref="PeerBackplaneBreakdownRun"/>'s slow rounds lost their time (issue 12, item 4's P99): the round's
/// delay (from <c>SaveChangesAsync</c> called to B seeing the new value) cut into consecutive stages, and for the rounds
/// at or above the side's P95, each stage's excess over its own median in all rounds, summed: the share of the slow
/// rounds' extra time each stage took. Also the GC pauses that fell inside a round and the round whose stage took the
/// most excess, per stage. A stage whose later moment came first (B's handler ran before the observer's) counts as 0.
/// </summary>
internal static class PeerBTail
{
    /// <summary>The consecutive stages of a round, from A's call to B's read that saw the new value.</summary>
    private static readonly (string Label, Func<PeerBTimeline.Round, long> From, Func<PeerBTimeline.Round, long> To)[] s_stages =
    [
        ("A: capture (called -> save interceptors)", static r => r.Called, static r => r.Saving),
        ("A: database (-> committed)", static r => r.Saving, static r => r.Committed),
        ("A: commit -> message on the wire", static r => r.Committed, static r => r.Wire),
        ("B: wire -> handler got it (hop)", static r => r.Wire, static r => r.Received),
        ("B: got it -> memory evicted", static r => r.Received, static r => r.Evicted != 0 ? r.Evicted : r.Received),
        ("B: evicted -> first read past memory", static r => r.Evicted != 0 ? r.Evicted : r.Received, static r => r.MissStart),
        ("B: that read -> new value seen", static r => r.MissStart, static r => r.Seen),
    ];

    /// <summary>Prints the tail of one side's rounds.</summary>
    public static void Report(string name, IReadOnlyList<PeerBTimeline.Round> rounds)
    {
        var complete = rounds.Where(static r => s_stages.All(s => s.From(r) != 0 && s.To(r) != 0)).ToList();
        if (complete.Count < 20)
        {
            Console.WriteLine($"  {name}: too few complete rounds for a tail ({complete.Count})");
            return;
        }

        var delays = complete.Select(static r => Ms(r.Called, r.Seen)).Order().ToList();
        var p95 = RedisPairedRun.Percentile(delays, 95);
        var slow = complete.Where(r => Ms(r.Called, r.Seen) >= p95).ToList();
        var medians = s_stages.Select(s => Median(complete.Select(r => Stage(s, r)))).ToArray();
        var excess = new double[s_stages.Length];
        var worst = new int[s_stages.Length];
        foreach (var round in slow)
        {
            var top = 0;
            for (var i = 0; i < s_stages.Length; i++)
            {
                var over = Math.Max(0, Stage(s_stages[i], round) - medians[i]);
                excess[i] += over;
                if (over > Math.Max(0, Stage(s_stages[top], round) - medians[top]))
                {
                    top = i;
                }
            }

            worst[top]++;
        }

        var total = excess.Sum();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"  {name}: item 4 P50 {RedisPairedRun.Percentile(delays, 50):N3}, P90 {RedisPairedRun.Percentile(delays, 90):N3}, P95 {p95:N3}, P99 {RedisPairedRun.Percentile(delays, 99):N3}, max {delays[^1]:N3} ms; {slow.Count} slow rounds (>= P95), mean {slow.Average(static r => Ms(r.Called, r.Seen)):N3} ms"));
        Console.WriteLine(string.Create(inv, $"    {"stage",-44} {"median",9} {"slow: mean",11} {"excess share",13} {"worst in",9}"));
        for (var i = 0; i < s_stages.Length; i++)
        {
            var stage = s_stages[i];
            Console.WriteLine(string.Create(inv, $"    {stage.Label,-44} {medians[i],9:N3} {slow.Average(r => Stage(stage, r)),11:N3} {(total > 0 ? excess[i] / total : 0),13:P0} {worst[i],9}"));
        }

        Console.WriteLine(string.Create(inv, $"    GC: pauses inside {complete.Count(static r => r.GcPauseTicks > 0)} of {complete.Count} rounds, {slow.Count(static r => r.GcPauseTicks > 0)} of the slow ones (their pauses {slow.Sum(static r => TimeSpan.FromTicks(r.GcPauseTicks).TotalMilliseconds):N3} ms in all); thread-pool threads at the slow rounds' ends: {string.Join(' ', slow.Select(static r => r.PoolThreads).Distinct().Order())}"));
    }

    private static double Stage((string Label, Func<PeerBTimeline.Round, long> From, Func<PeerBTimeline.Round, long> To) stage, PeerBTimeline.Round round) =>
        Math.Max(0, Ms(stage.From(round), stage.To(round)));

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static double Median(IEnumerable<double> values) => RedisPairedRun.Percentile(values.Order().ToList(), 50);
}
