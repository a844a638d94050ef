using BenchmarkDotNet.Running;
using Stockpile.Benchmarks;

if (args is ["--paired-redis"])
{
    await RedisPairedRun.RunAsync();
    return;
}

if (args is ["--paired-redis-put"])
{
    await RedisPairedRun.RunPutAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
