using System.Globalization;

namespace Stockpile.Benchmarks.Latency;

/// <summary>
/// The <see cref="RedisPairedRun"/> comparisons at a network's round trip: the same store and peer calls, through a
/// <see cref="LatencyProxy"/> that adds a fixed delay each way, at each delay asked for, beside the same calls made
/// directly (no proxy) and through the proxy with no delay (the proxy's own cost: both sides of every pair go through
/// it). In each round every level is measured in turn (the order rotating), and in each level both sides in turn (the
/// order alternating), so a load swing on a shared machine hits every figure alike. The delay line's lateness (how long
/// after its due time each chunk was written) is shown per level: the added round trip is twice the delay plus that.
/// Run with <c>-- --paired-redis --latency 100,250,500</c> or <c>-- --paired-redis-put --latency 100,250,500</c>.
/// </summary>
internal static class RedisLatencyRun
{
    public static async Task RunAsync(IReadOnlyList<int> oneWayMicroseconds, bool put)
    {
        var direct = new RedisStoreBenchmarks();
        LatencyProxy? proxy = null;
        var proxied = new RedisStoreBenchmarks { Route = port => (proxy = new LatencyProxy(port)).Port };
        await direct.SetupAsync();
        await proxied.SetupAsync();
        try
        {
            var through = proxy ?? throw new InvalidOperationException("The proxied benchmarks did not connect through the proxy.");
            Level[] levels =
            [
                new("direct, no proxy", direct, null),
                .. ((int[])[0, .. oneWayMicroseconds.Where(us => us > 0)]).Select(us => new Level(string.Create(CultureInfo.InvariantCulture, $"proxy, +{us} us each way"), proxied, TimeSpan.FromMicroseconds(us))),
            ];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency run: precise sleeps {PreciseSleep.IsPrecise}, the proxy's threads real-time {PreciseSleep.IsRealTime}; {Environment.ProcessorCount} cores; load {File.ReadAllText("/proc/loadavg").Trim()}"));
            if (put)
            {
                // Every object written once on each side first: the runs measure puts that replace, as the paired run's do.
                foreach (var benchmarks in (RedisStoreBenchmarks[])[direct, proxied])
                {
                    for (var i = 0; i < 2_000; i++)
                    {
                        await benchmarks.StorePut();
                        await benchmarks.BarePutScript();
                    }
                }

                await CompareAsync("put script alone", "one EVALSHA (return 1)", static b => b.BareEvalSha, "the put script, arguments made once", static b => b.BarePutScript, levels, through, rounds: 20, block: 20, warmup: 300);
                await CompareAsync("put with two alternate keys", "one EVALSHA (return 1)", static b => b.BareEvalSha, "RedisStore.PutAsync", static b => b.StorePut, levels, through, rounds: 20, block: 20, warmup: 300);
            }
            else
            {
                await CompareAsync("get by primary key", "StringGetAsync + deserialize", static b => b.BareGet, "RedisStore.GetAsync", static b => b.StoreGet, levels, through, rounds: 20, block: 20, warmup: 300);
                await CompareAsync("batch of 100, the store's keys", "MGET of the store's keys + deserialize", static b => b.BareBatchOfStoreKeys, "RedisStore.GetManyAsync", static b => b.StoreBatch, levels, through, rounds: 20, block: 10, warmup: 300);
                await CompareAsync("100 gets", "100 sequential RedisStore.GetAsync", static b => b.StoreSequential100, "RedisStore.GetManyAsync of 100", static b => b.StoreBatch, levels, through, rounds: 12, block: 2, warmup: 30);
                await CompareAsync("100 gets, the hand-written floor", "100 sequential RedisStore.GetAsync", static b => b.StoreSequential100, "MGET of the store's keys + deserialize", static b => b.BareBatchOfStoreKeys, levels, through, rounds: 12, block: 2, warmup: 30);
            }
        }
        finally
        {
            await direct.CleanupAsync();
            await proxied.CleanupAsync();
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    private static async Task CompareAsync(
        string name,
        string peerName,
        Func<RedisStoreBenchmarks, Func<Task>> peer,
        string storeName,
        Func<RedisStoreBenchmarks, Func<Task>> store,
        Level[] levels,
        LatencyProxy proxy,
        int rounds,
        int block,
        int warmup)
    {
        var peerTimes = levels.Select(_ => new List<double>()).ToArray();
        var storeTimes = levels.Select(_ => new List<double>()).ToArray();
        var lateness = levels.Select(_ => new List<double>()).ToArray();
        var (peerChunks, storeChunks) = (new int[levels.Length], new int[levels.Length]);

        // Tiered compilation promoted on the direct level (the code is the same at every level), then one block of
        // each side per level before anything is kept.
        for (var i = 0; i < 3; i++)
        {
            await RedisPairedRun.MeasureAsync(peer(levels[0].Benchmarks), warmup, null);
            await RedisPairedRun.MeasureAsync(store(levels[0].Benchmarks), warmup, null);
        }

        foreach (var level in levels)
        {
            level.Enter(proxy);
            await RedisPairedRun.MeasureAsync(peer(level.Benchmarks), block, null);
            await RedisPairedRun.MeasureAsync(store(level.Benchmarks), block, null);
        }

        for (var round = 0; round < rounds; round++)
        {
            for (var l = 0; l < levels.Length; l++)
            {
                var at = (l + round) % levels.Length;
                var level = levels[at];
                level.Enter(proxy);
                proxy.TakeLateness();
                for (var turn = 0; turn < 2; turn++)
                {
                    var isStore = (turn == 0) == (round % 2 == 1); // the peer first in even rounds
                    await RedisPairedRun.MeasureAsync((isStore ? store : peer)(level.Benchmarks), block, (isStore ? storeTimes : peerTimes)[at]);
                    if (level.Delay is not null)
                    {
                        var late = proxy.TakeLateness();
                        (isStore ? storeChunks : peerChunks)[at] += late.Count;
                        lateness[at].AddRange(late);
                    }
                }
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"latency {name} ({rounds * block} calls per side and level; levels in turn, sides alternating, blocks of {block}):"));
        Console.WriteLine($"  peer: {peerName}; store: {storeName}");
        Console.WriteLine("  level                          | peer P50 | store P50 | store/peer P50 | P99   | mean  | peer/store P50 | chunks a call, peer / store | proxy lateness P50 / P99");
        for (var l = 0; l < levels.Length; l++)
        {
            var (p, s, late) = (peerTimes[l], storeTimes[l], lateness[l]);
            p.Sort();
            s.Sort();
            late.Sort();
            var (p50, s50) = (RedisPairedRun.Percentile(p, 50), RedisPairedRun.Percentile(s, 50));
            var lateText = late.Count == 0 ? $"{"-",27} | -" : string.Create(inv, $"{peerChunks[l] / (double)p.Count,13:N2} / {storeChunks[l] / (double)s.Count,-11:N2} | {RedisPairedRun.Percentile(late, 50):N1} / {RedisPairedRun.Percentile(late, 99):N1} us");
            Console.WriteLine(string.Create(inv, $"  {levels[l].Name,-30} | {p50,8:N1} | {s50,9:N1} | {s50 / p50,13:N2}x | {RedisPairedRun.Percentile(s, 99) / RedisPairedRun.Percentile(p, 99),4:N2}x | {s.Average() / p.Average(),4:N2}x | {p50 / s50,13:N1}x | {lateText}"));
        }
    }

    /// <summary>One column of the comparison: the benchmarks (direct or through the proxy) and the proxy's delay.</summary>
    private sealed record Level(string Name, RedisStoreBenchmarks Benchmarks, TimeSpan? Delay)
    {
        public void Enter(LatencyProxy proxy)
        {
            if (Delay is { } delay)
            {
                proxy.OneWayDelay = delay;
            }
        }
    }
}
