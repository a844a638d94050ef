using BenchmarkDotNet.Running;
using Stockpile.Benchmarks;

if (args is ["--paired-redis"])
{
    await RedisPairedRun.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
