using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Stockpile.Testing.Fuzz;

/// <summary>
/// Runs a check over cases an FsCheck generator makes from one seed: a bounded number in the short run, many more in
/// soak mode (<see cref="SoakVariable"/><c>=1</c>). The seed is printed before the run and named in any failure; set
/// <see cref="SeedVariable"/> to it to replay exactly the same cases.
/// </summary>
public static class FuzzRun
{
    /// <summary>The environment variable that replays a seed.</summary>
    public const string SeedVariable = "STOCKPILE_FSCHECK_SEED";

    /// <summary>The environment variable of the soak mode (shared with the other torture cases).</summary>
    public const string SoakVariable = "STOCKPILE_SOAK";

    /// <summary>Gets a value indicating whether the soak mode is on.</summary>
    public static bool Soak => Environment.GetEnvironmentVariable(SoakVariable) is { Length: > 0 } value && value != "0";

    /// <summary>Runs <paramref name="check"/> on <paramref name="shortCount"/> cases (ten times as many in soak mode); returns the number run.</summary>
    public static async Task<int> RunAsync<T>(string name, Gen<T> generator, int shortCount, Func<T, Task> check)
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } given
            ? ulong.Parse(given, CultureInfo.InvariantCulture)
            : (ulong)Random.Shared.NextInt64(long.MaxValue);
        var count = Soak ? shortCount * 10 : shortCount;
        TestContext.Progress.WriteLine($"{name}: {count} cases, {SeedVariable}={seed}");
        // FsCheck's Sample takes the number of values first and their size last (size 50, as FsCheck's own default).
        var cases = generator.Sample(count, new Rnd(seed), 50);
        for (var i = 0; i < cases.Length; i++)
        {
            try
            {
                await check(cases[i]).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The soak flag too: it sets how many cases the seed makes (a case past the short run's count needs it).
                var soak = Soak ? $" {SoakVariable}=1" : string.Empty;
                throw new AssertionException($"{name}: case {i + 1} of {count} failed: {cases[i]}. Replay with {SeedVariable}={seed}{soak}.{Environment.NewLine}{ex.Message}", ex);
            }
        }

        return count;
    }
}
