using System.Globalization;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// The names the workload writes: <c>c{n}</c> is a row's n-th committed version; <c>rb…</c> is a state that was saved
/// and then rolled back, which no tier may ever hold.
/// </summary>
internal static class TortureNames
{
    private static long s_rolledBack;

    public static string Committed(long version) => string.Create(CultureInfo.InvariantCulture, $"c{version}");

    public static string RolledBack() => string.Create(CultureInfo.InvariantCulture, $"rb{Interlocked.Increment(ref s_rolledBack)}");

    public static bool IsRolledBack(string? name) => name is not null && name.StartsWith("rb", StringComparison.Ordinal);

    /// <summary>Gets the committed version a name carries, or -1 for anything else.</summary>
    public static long VersionOf(string name) =>
        name.StartsWith('c') && long.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;
}
