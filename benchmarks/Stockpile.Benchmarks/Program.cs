using BenchmarkDotNet.Running;
using Stockpile.Benchmarks;

if (args is ["--paired-redis"])
{
    await RedisPairedRun.RunAsync();
    return;
}

if (args is ["--redis-batch-breakdown"])
{
    await RedisBatchBreakdownRun.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
