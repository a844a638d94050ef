using BenchmarkDotNet.Running;
using Stockpile.Benchmarks;
using Stockpile.Benchmarks.Peers;

if (args is [var pairedMode, "--latency", var latencies] && pairedMode is "--paired-redis" or "--paired-redis-put")
{
    await Stockpile.Benchmarks.Latency.RedisLatencyRun.RunAsync([.. latencies.Split(',').Select(us => int.Parse(us, System.Globalization.CultureInfo.InvariantCulture))], put: pairedMode == "--paired-redis-put");
    return;
}

if (args is ["--redis-put-server", "--dump"])
{
    RedisPutServerTimeRun.Dump();
    return;
}

if (args is ["--redis-put-server", ..] putServer)
{
    var putServerRuns = putServer.Length > 1 && int.TryParse(putServer[1], System.Globalization.CultureInfo.InvariantCulture, out var runs) ? runs : 7;
    var putServerLatency = Array.IndexOf(putServer, "--latency") is > 0 and var at ? int.Parse(putServer[at + 1], System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
    await RedisPutServerTimeRun.RunAsync(putServerRuns, putServerLatency, [.. putServer.Skip(1).Where(static a => a.EndsWith(".lua", StringComparison.Ordinal))]);
    return;
}

if (args is ["--paired-redis"])
{
    await RedisPairedRun.RunAsync();
    return;
}

if (args is ["--redis-batch-probe"])
{
    await RedisBatchProbeRun.RunAsync();
    return;
}

if (args is ["--redis-put-arguments"])
{
    await RedisPutArgumentsProbeRun.RunAsync();
    return;
}

if (args is ["--redis-batch-breakdown"])
{
    await RedisBatchBreakdownRun.RunAsync();
    return;
}

if (args is ["--redis-batch-profile", ..] profile)
{
    await RedisBatchBreakdownRun.ProfileAsync(profile.Length > 1 ? int.Parse(profile[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
    return;
}

if (args is ["--peer-backplane", ..] backplane)
{
    await Stockpile.Benchmarks.Peers.PeerBackplaneRun.RunAsync(backplane.Length > 1 ? int.Parse(backplane[1], System.Globalization.CultureInfo.InvariantCulture) : 300);
    return;
}

if (args is ["--peer-backplane-breakdown", ..] backplaneBreakdown)
{
    await PeerBackplaneBreakdownRun.RunAsync(backplaneBreakdown.Length > 1 ? int.Parse(backplaneBreakdown[1], System.Globalization.CultureInfo.InvariantCulture) : 300, backplaneBreakdown is [_, _, "no-slowlog"]);
    return;
}

if (args is ["--peer-backplane-evict", ..] backplaneEvict)
{
    await PeerBackplaneBreakdownRun.EvictAsync(backplaneEvict.Length > 1 ? int.Parse(backplaneEvict[1], System.Globalization.CultureInfo.InvariantCulture) : 5000, backplaneEvict.Length > 2 ? backplaneEvict[2] : null);
    return;
}

if (args is ["--peer-stampede", ..] stampede)
{
    await Stockpile.Benchmarks.Peers.PeerStampedeRun.RunAsync(stampede.Length > 1 ? int.Parse(stampede[1], System.Globalization.CultureInfo.InvariantCulture) : 30);
    return;
}

if (args is ["--peer-memory", ..] memory)
{
    await Stockpile.Benchmarks.Peers.PeerMemoryRun.RunAsync(memory.Length > 1 ? int.Parse(memory[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

if (args is ["--peer-memory-side", var memorySide, var memoryEntries])
{
    await Stockpile.Benchmarks.Peers.PeerMemoryRun.RunSideAsync(memorySide, int.Parse(memoryEntries, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args is ["--peer-save", ..] save)
{
    await Stockpile.Benchmarks.Peers.PeerSaveRun.RunAsync(save.Length > 1 && int.TryParse(save[1], System.Globalization.CultureInfo.InvariantCulture, out var saveRounds) ? saveRounds : 60, save.Contains("cached"));
    return;
}

if (args is ["--outbox-save", ..] outboxSave)
{
    await OutboxSaveRun.RunAsync(outboxSave.Length > 1 ? int.Parse(outboxSave[1], System.Globalization.CultureInfo.InvariantCulture) : 200);
    return;
}

if (args is ["--peer-save-allocations", ..] allocations)
{
    await Stockpile.Benchmarks.Peers.PeerSaveAllocationRun.RunAsync(allocations.Length > 1 ? int.Parse(allocations[1], System.Globalization.CultureInfo.InvariantCulture) : 2000, allocations.Length > 2 ? int.Parse(allocations[2], System.Globalization.CultureInfo.InvariantCulture) : 40, allocations.Length > 3 ? allocations[3..] : []);
    return;
}

if (args is ["--peer-save-breakdown", ..] breakdown)
{
    await Stockpile.Benchmarks.Peers.PeerSaveBreakdownRun.RunAsync(breakdown.Length > 1 ? int.Parse(breakdown[1], System.Globalization.CultureInfo.InvariantCulture) : 200, breakdown.Length > 2 ? breakdown[2..] : []);
    return;
}

if (args is ["--paired-peers", ..])
{
    await PeerReadPairedRun.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60, args.Length > 2 ? args[2..] : []);
    return;
}

if (args is ["--peer-chain-read", ..] chainRead)
{
    await PeerChainReadBreakdownRun.RunAsync(chainRead.Length > 1 ? int.Parse(chainRead[1], System.Globalization.CultureInfo.InvariantCulture) : 60);
    return;
}

if (args is ["--peer-chain-read-profile", var readSide, var readSeconds])
{
    await PeerChainReadBreakdownRun.ProfileAsync(readSide, int.Parse(readSeconds, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args is ["--peer-chain-miss", ..] chainMiss)
{
    await PeerChainMissBreakdownRun.RunAsync(chainMiss.Length > 1 ? int.Parse(chainMiss[1], System.Globalization.CultureInfo.InvariantCulture) : 60, chainMiss.Length > 2 ? chainMiss[2] : null);
    return;
}

if (args is ["--peer-chain-miss-profile", var profiledSide, var profiledSeconds])
{
    await PeerChainMissBreakdownRun.ProfileAsync(profiledSide, int.Parse(profiledSeconds, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args is ["--peer-cache-miss-commands", ..] commands)
{
    await Stockpile.Benchmarks.Peers.PeerCacheMissCommandsRun.RunAsync(commands.Length > 1 ? int.Parse(commands[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
    return;
}

if (args is ["--peer-chain-miss-server", ..] server)
{
    await PeerChainMissBreakdownRun.ServerTimeAsync(server.Length > 1 ? int.Parse(server[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

if (args is ["--paired-redis-put"])
{
    await RedisPairedRun.RunPutAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
