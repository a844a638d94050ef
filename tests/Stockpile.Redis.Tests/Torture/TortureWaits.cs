using System.Diagnostics;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>Bounded waits for a condition (polled every 10 ms): the bound only stops a test that would hang, it is never a timing claim.</summary>
internal static class TortureWaits
{
    /// <summary>Returns how long the condition took, or <see langword="null"/> if it did not hold within <paramref name="bound"/>.</summary>
    public static async Task<TimeSpan?> TryUntilAsync(Func<Task<bool>> condition, TimeSpan bound)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > bound)
            {
                return null;
            }

            await Task.Delay(10);
        }

        return stopwatch.Elapsed;
    }

    /// <summary>Waits for the condition; fails the test, naming <paramref name="what"/>, if it did not hold within <paramref name="bound"/>.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what) =>
        await TryUntilAsync(condition, bound) ?? throw new AssertionException($"not reached within {bound.TotalSeconds} s: {what}");

    /// <summary>Waits until a count of log events is above a value, on every instance.</summary>
    public static Task<TimeSpan> LoggedAsync(IEnumerable<Backplane.AppInstance> instances, string eventName, IReadOnlyList<int> above, TimeSpan bound) =>
        UntilAsync(() => Task.FromResult(instances.Select((instance, i) => instance.Count(eventName) > above[i]).All(static b => b)), bound, eventName + " on every instance");
}
