using System.Globalization;
using Stockpile.Internal.Caching;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Issue 12, item 3 (lane pub9): what the redis-server does for a miss served from the database, command by command,
/// the Stockpile cache's <c>GetOrCreateAsync</c> against HybridCache's (the same blocks as
/// <see cref="PeerReadDatabaseBenchmarks"/>): <c>INFO commandstats</c> after <c>CONFIG RESETSTAT</c>, over
/// <c>rounds</c> blocks of 100 misses per side, the sides in turn. The server's own time (<c>usec</c>) per read; what
/// the server spends on the sockets around the commands is not in it (<c>--peer-chain-miss</c> has the whole CPU).
/// <c>--peer-cache-miss-commands [rounds]</c>.
/// </summary>
internal static class PeerCacheMissCommandsRun
{
    public static async Task RunAsync(int rounds)
    {
        var database = new PeerReadDatabaseBenchmarks();
        await database.SetupAsync();
        try
        {
            var setup = database.Setup;
            var layered = (LayeredCacheTier)((StockpileCache)setup.Cache).Tier;
            (string Name, Func<Task> Block, Func<Task> Settle)[] sides =
            [
                ("Stockpile cache `GetOrCreateAsync`", database.StockpileCache, layered.SettledAsync),
                ("HybridCache `GetOrCreateAsync`", database.HybridCache, static () => Task.Delay(200)),
            ];
            var totals = sides.Select(_ => new Dictionary<string, (long Calls, long Microseconds)>(StringComparer.Ordinal)).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                for (var i = 0; i < sides.Length; i++)
                {
                    await setup.ResetStatsAsync();
                    await sides[i].Block();
                    await sides[i].Settle();
                    foreach (var (command, calls, microseconds) in await CommandStatsAsync(setup))
                    {
                        totals[i].TryGetValue(command, out var sum);
                        totals[i][command] = (sum.Calls + calls, sum.Microseconds + microseconds);
                    }
                }
            }

            var reads = (double)rounds * PeerReadDatabaseBenchmarks.Block;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"The server's work per miss, {rounds} blocks of {PeerReadDatabaseBenchmarks.Block} per side, load average {PeerReadPairedRun.LoadAverage()}"));
            Console.WriteLine();
            Console.WriteLine("| side | command | calls per read | server µs per read |");
            Console.WriteLine("| --- | --- | ---: | ---: |");
            for (var i = 0; i < sides.Length; i++)
            {
                foreach (var (command, (calls, microseconds)) in totals[i].OrderByDescending(static c => c.Value.Microseconds))
                {
                    Console.WriteLine(string.Create(inv, $"| {sides[i].Name} | {command} | {calls / reads:N2} | {microseconds / reads:N2} |"));
                }

                Console.WriteLine(string.Create(inv, $"| {sides[i].Name} | **all** | {totals[i].Values.Sum(static c => c.Calls) / reads:N2} | **{totals[i].Values.Sum(static c => c.Microseconds) / reads:N2}** |"));
            }
        }
        finally
        {
            await database.CleanupAsync();
        }
    }

    /// <summary>Every command called since the last reset but the ones the run itself sends (the flush, the stats), with its calls and µs.</summary>
    private static async Task<List<(string Command, long Calls, long Microseconds)>> CommandStatsAsync(PeerSetup setup)
    {
        var stats = new List<(string, long, long)>();
        foreach (var line in (await setup.CommandStatsTextAsync()).Split('\n'))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var command = line[8..colon];
            if (command is "flushdb" or "info" or "config")
            {
                continue;
            }

            long calls = 0, microseconds = 0;
            foreach (var field in line[(colon + 1)..].Trim().Split(','))
            {
                if (field.StartsWith("calls=", StringComparison.Ordinal))
                {
                    calls = long.Parse(field[6..], CultureInfo.InvariantCulture);
                }
                else if (field.StartsWith("usec=", StringComparison.Ordinal))
                {
                    microseconds = long.Parse(field[5..], CultureInfo.InvariantCulture);
                }
            }

            stats.Add((command, calls, microseconds));
        }

        return stats;
    }
}
