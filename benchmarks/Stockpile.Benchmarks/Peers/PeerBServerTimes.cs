using System.Globalization;
using System.Reflection;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// What the redis-server spent per command, from its slow log with a threshold of 0 µs (every command logged with its
/// duration): per command (a script by its name in <see cref="RedisScripts"/>), the number of calls and the median
/// duration. Used by <see cref="PeerBackplaneBreakdownRun"/>, after its warm-up; the log's own cost is the server's,
/// alike for every library.
/// </summary>
internal sealed class PeerBServerTimes(IServer server)
{
    public async Task StartAsync()
    {
        await server.ExecuteAsync("CONFIG", "SET", "slowlog-max-len", "200000");
        await server.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "0");
        await server.ExecuteAsync("SLOWLOG", "RESET");
    }

    /// <summary>Prints the commands called at least <paramref name="minimum"/> times, most called first.</summary>
    public async Task ReportAsync(int minimum)
    {
        await server.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "10000");
        var entries = (RedisResult[])(await server.ExecuteAsync("SLOWLOG", "GET", "200000"))!;
        var scripts = typeof(RedisScripts).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(static p => p.PropertyType == typeof(RedisScript))
            .ToDictionary(static p => Convert.ToHexStringLower(((RedisScript)p.GetValue(null)!).Sha1), static p => p.Name);
        var groups = entries
            .Select(static e => (RedisResult[])e!)
            .Select(e => (Name: NameOf((RedisResult[])e[3]!, scripts), Micros: (long)e[2]))
            .GroupBy(static e => e.Name)
            .Where(g => g.Count() >= minimum)
            .OrderByDescending(static g => g.Count());
        Console.WriteLine($"  redis-server time per command (slow log at 0 µs, {entries.Length} commands):");
        foreach (var group in groups)
        {
            var micros = group.Select(static e => (double)e.Micros).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {group.Key,-40} {micros.Count,7} calls, median {RedisPairedRun.Percentile(micros, 50),6:N0} µs, mean {micros.Average(),7:N1} µs"));
        }
    }

    /// <summary>Starts counting afresh the server's own statistics per command (<c>INFO commandstats</c>), without the slow log's cost.</summary>
    public async Task StartStatsAsync() => await server.ExecuteAsync("CONFIG", "RESETSTAT");

    /// <summary>Prints <c>INFO commandstats</c>: calls and mean µs per call (all scripts together under <c>evalsha</c>).</summary>
    public async Task ReportStatsAsync()
    {
        var info = (string?)await server.ExecuteAsync("INFO", "commandstats") ?? string.Empty;
        Console.WriteLine("  redis-server time per command (INFO commandstats, no slow log; scripts together, with the commands they call):");
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(static l => l.StartsWith("cmdstat_", StringComparison.Ordinal)))
        {
            Console.WriteLine($"    {line}");
        }
    }

    private static string NameOf(RedisResult[] arguments, Dictionary<string, string> scripts)
    {
        var command = ((string?)arguments[0] ?? "?").ToUpperInvariant();
        return command == "EVALSHA" && arguments.Length > 1 && scripts.TryGetValue(((string?)arguments[1] ?? string.Empty).ToLowerInvariant(), out var script)
            ? "EVALSHA " + script
            : command;
    }
}
