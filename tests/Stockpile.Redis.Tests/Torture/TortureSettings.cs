using System.Globalization;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// How long the torture suite runs. The short form (the default, in <c>.ci/run</c>) takes seconds per case; the soak
/// (<c>STOCKPILE_SOAK=1</c>, or <c>scripts/soak.sh</c>) scales operations and fault cycles up. Either can be set alone:
/// <c>STOCKPILE_TORTURE_ROUNDS</c> (operations per workload phase) and <c>STOCKPILE_TORTURE_CYCLES</c> (faults per case).
/// </summary>
internal static class TortureSettings
{
    public const string SoakVariable = "STOCKPILE_SOAK";
    public const string RoundsVariable = "STOCKPILE_TORTURE_ROUNDS";
    public const string CyclesVariable = "STOCKPILE_TORTURE_CYCLES";

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

    /// <summary>Gets the concurrent workers of a workload (spread over both instances).</summary>
    public static int Workers => 6;

    /// <summary>Gets the rows every workload shares (few, so that readers and writers meet).</summary>
    public static int Rows => 12;

    private static int? Read(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
