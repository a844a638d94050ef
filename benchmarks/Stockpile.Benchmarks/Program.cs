using BenchmarkDotNet.Running;
using Stockpile.Benchmarks;
using Stockpile.Benchmarks.Peers;

if (args is ["--paired-redis"])
{
    await RedisPairedRun.RunAsync();
    return;
}

if (args is ["--paired-peers", ..])
{
    await PeerReadPairedRun.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60, args.Length > 2 ? args[2..] : []);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
