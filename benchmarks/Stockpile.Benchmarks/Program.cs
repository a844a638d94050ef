using BenchmarkDotNet.Running;
using Stockpile.Benchmarks;

if (args is ["--paired-redis"])
{
    await RedisPairedRun.RunAsync();
    return;
}

if (args is ["--peer-backplane", ..] backplane)
{
    await Stockpile.Benchmarks.Peers.PeerBackplaneRun.RunAsync(backplane.Length > 1 ? int.Parse(backplane[1], System.Globalization.CultureInfo.InvariantCulture) : 300);
    return;
}

if (args is ["--peer-stampede", ..] stampede)
{
    await Stockpile.Benchmarks.Peers.PeerStampedeRun.RunAsync(stampede.Length > 1 ? int.Parse(stampede[1], System.Globalization.CultureInfo.InvariantCulture) : 30);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
