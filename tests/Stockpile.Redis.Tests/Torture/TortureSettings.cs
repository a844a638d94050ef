using System.Globalization;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// How long the torture suite runs. The short form (the default, in <c>.ci/run</c>) takes seconds per case; the soak
/// (<c>STOCKPILE_SOAK=1</c>, or <c>scripts/soak.sh</c>) scales operations and fault cycles up. Either can be set alone:
/// <c>STOCKPILE_TORTURE_ROUNDS</c> (operations per workload phase) and <c>STOCKPILE_TORTURE_CYCLES</c> (faults per case).
/// <c>STOCKPILE_TORTURE_SEED</c> replays the workers' random choices of a failed case (<see cref="Replay"/> prints all four).
/// </summary>
internal static class TortureSettings
{
    public const string SoakVariable = "STOCKPILE_SOAK";
    public const string RoundsVariable = "STOCKPILE_TORTURE_ROUNDS";
    public const string CyclesVariable = "STOCKPILE_TORTURE_CYCLES";
    public const string SeedVariable = "STOCKPILE_TORTURE_SEED";

    /// <summary>Gets a value indicating whether the long soak runs.</summary>
    public static bool Soak => Environment.GetEnvironmentVariable(SoakVariable) is "1" or "true";

    /// <summary>Gets the operations a workload does (in each phase of a fault case).</summary>
    public static int Rounds => Read(RoundsVariable) ?? (Soak ? 3_000 : 240);

    /// <summary>Gets how many times a fault case breaks and repairs its server.</summary>
    public static int Cycles => Read(CyclesVariable) ?? (Soak ? 3 : 1);

    /// <summary>
    /// Returns the cases of a matrix to run: all of them in the soak; in the short form, those at
    /// <paramref name="shortForm"/> (chosen so that every server, database and fault still runs at least once).
    /// </summary>
    public static IEnumerable<TestCaseData> Cases(TestCaseData[] all, params int[] shortForm) =>
        Soak ? all : shortForm.Select(i => all[i]);

    /// <summary>Gets a seed for a case's workers: the one to replay (<c>STOCKPILE_TORTURE_SEED</c>), else a fresh one.</summary>
    public static int ChooseSeed() => Read(SeedVariable) ?? Random.Shared.Next(1, 1_000_000);

    /// <summary>
    /// The line that replays a case: its seed and the settings it ran with (the soak's too, which changes the defaults),
    /// and the filter that runs it alone (<paramref name="test"/> is the case's full name, its arguments included).
    /// </summary>
    public static string Replay(int seed, string test)
    {
        var method = test.Split('(')[0];
        var soak = Soak ? $" {SoakVariable}=1" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"replay: {SeedVariable}={seed} {RoundsVariable}={Rounds} {CyclesVariable}={Cycles}{soak} dotnet test tests/Stockpile.Redis.Tests -c Release --filter \"FullyQualifiedName~{method}\" (the case {test[(method.LastIndexOf('.') + 1)..]})");
    }

    /// <summary>Gets the concurrent workers of a workload (spread over both instances).</summary>
    public static int Workers => 6;

    /// <summary>Gets the rows every workload shares (few, so that readers and writers meet).</summary>
    public static int Rows => 12;

    private static int? Read(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
