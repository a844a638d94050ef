using System.Globalization;
using Stockpile.Benchmarks.Latency;
using Stockpile.Redis.Internal;

namespace Stockpile.Benchmarks;

/// <summary>
/// The put's server time (issue 9): <c>usec_per_call</c> of <c>EVALSHA</c> in <c>INFO commandstats</c> for one
/// <c>EVALSHA</c> of <c>return 1</c>, the same sent the put's keys and arguments, the store's put script sent bare (the
/// store's keys and short-form arguments, made once: the fast path of a put that keeps its alternate keys), the store's
/// own <c>PutAsync</c>, and any variants of the put script given as files (the script's text, e.g. with one call cut;
/// <c>--dump</c> prints the put script to start from). Each side runs 4,000 calls per run, the sides in turn, and the
/// least and the median of the runs are shown. With <c>--latency</c> the calls go through a
/// <see cref="LatencyProxy"/> adding that many µs each way (1,000 calls a run): whether the server's time per call
/// changes when the server idles between calls. Run with
/// <c>-- --redis-put-server [runs] [--latency us] [variant.lua ...]</c> or <c>-- --redis-put-server --dump</c>.
/// </summary>
internal static class RedisPutServerTimeRun
{
    public static async Task RunAsync(int runs, int? oneWayMicroseconds, IReadOnlyList<string> variantFiles)
    {
        LatencyProxy? proxy = null;
        var benchmarks = oneWayMicroseconds is { } delay
            ? new RedisStoreBenchmarks { Route = port => (proxy = new LatencyProxy(port) { OneWayDelay = TimeSpan.FromMicroseconds(delay) }).Port }
            : new RedisStoreBenchmarks();
        var calls = oneWayMicroseconds is null ? 4_000 : 1_000;
        await benchmarks.SetupAsync();
        try
        {
            (string Name, Func<Task> Call)[] sides =
            [
                ("one EVALSHA (return 1)", benchmarks.BareEvalSha),
                ("return 1 sent the put's keys and arguments", benchmarks.BareEvalShaWithPutArguments),
                ("the put script, the store's keys and arguments made once", benchmarks.BarePutScript),
                ("RedisStore.PutAsync, two alternate keys", benchmarks.StorePut),
            ];
            foreach (var file in variantFiles)
            {
                var sha1 = await benchmarks.LoadScriptAsync(await File.ReadAllTextAsync(file));
                sides = [.. sides, ("variant " + Path.GetFileName(file), () => benchmarks.PutScriptVariant(sha1))];
            }

            // Every object written once by every side first: the runs measure puts that replace.
            foreach (var (_, call) in sides)
            {
                await RedisPairedRun.MeasureAsync(call, 2_000, null);
            }

            var micros = sides.Select(_ => new List<double>()).ToArray();
            for (var run = 0; run < runs; run++)
            {
                for (var i = 0; i < sides.Length; i++)
                {
                    var side = (i + run) % sides.Length;
                    await benchmarks.ResetServerStatsAsync();
                    await RedisPairedRun.MeasureAsync(sides[side].Call, calls, null);
                    micros[side].Add(await benchmarks.EvalShaMicrosecondsPerCallAsync());
                }
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"the put's server time (usec_per_call of evalsha, {runs} runs of {calls:N0} per side, in turn, {(oneWayMicroseconds is null ? "direct" : $"through the proxy, +{oneWayMicroseconds} us each way")}; load {File.ReadAllText("/proc/loadavg").Trim()}):"));
            for (var i = 0; i < sides.Length; i++)
            {
                var sorted = micros[i].Order().ToList();
                Console.WriteLine(string.Create(inv, $"  {sides[i].Name}: least {sorted[0]:N2} us, median {RedisPairedRun.Percentile(sorted, 50):N2} us"));
            }
        }
        finally
        {
            await benchmarks.CleanupAsync();
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    /// <summary>Prints the put script's text (the start of a variant).</summary>
    public static void Dump() => Console.Write(RedisScripts.Put.Text);
}
