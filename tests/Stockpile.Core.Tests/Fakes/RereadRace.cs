namespace Stockpile.Tests.Fakes;

/// <summary>
/// The stampede race of issue 10 laid out step by step: a caller's read of <c>"k"</c> is held after it read (a miss),
/// another caller makes and stores the value, then the held read goes on to the flights after that flight ended.
/// </summary>
internal static class RereadRace
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    /// <summary>Runs the race; returns what the held caller got, what the other caller got, and how often the factory ran.</summary>
    public static async Task<(string Late, string First, int Calls)> RunAsync(StockpileCache cache, HeldReadCacheTier held)
    {
        var calls = 0;
        ValueTask<string> Factory(int _, CancellationToken __) => new($"made {Interlocked.Increment(ref calls)}");

        var (reached, release) = held.HoldNextRead();
        var late = cache.GetOrCreateAsync("k", 0, Factory).AsTask();
        await reached.WaitAsync(s_bound);
        var first = await cache.GetOrCreateAsync("k", 0, Factory);
        release.SetResult();
        return (await late.WaitAsync(s_bound), first, calls);
    }
}
