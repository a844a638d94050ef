using System.Globalization;
using System.Xml.Linq;

namespace Stockpile.Tests.Packaging;

/// <summary>
/// The repository's packages, packed once into a scratch feed by <c>dotnet pack --no-build</c> from the build this test
/// assembly depends on (the quickstart project references every package project, so they are built in the same configuration).
/// </summary>
/// <param name="Feed">The folder holding the .nupkg and .snupkg files.</param>
/// <param name="VersionPrefix">The version declared once, in Directory.Build.props.</param>
/// <param name="Version">The version the packages were packed with: the declared one plus a suffix no earlier run used.</param>
/// <param name="Ids">The package ids packed (one per project under src/).</param>
internal sealed record PackedPackages(string Feed, string VersionPrefix, string Version, IReadOnlyList<string> Ids)
{
    /// <summary>The packages issue 12 asks for; every project under src/ is packed, and these must be among them.</summary>
    public static readonly string[] ExpectedIds = ["Stockpile.Core", "Stockpile.EfCore", "Stockpile.Redis"];

    /// <summary>Gets the path of a package.</summary>
    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>Gets the path of a package's symbols package.</summary>
    public string SymbolsPath(string id) => Path.Combine(Feed, $"{id}.{Version}.snupkg");

    /// <summary>Packs every project under src/ into <paramref name="feed"/>; fails the calling fixture with the tool's output when packing fails.</summary>
    public static async Task<PackedPackages> PackAsync(string feed)
    {
        var versionPrefix = XDocument.Load(Path.Combine(RepositoryLayout.Root, "Directory.Build.props"))
            .Descendants("VersionPrefix").Single().Value;
        // A version no earlier run used: the scratch restore can find only these packages, never stale ones under the
        // same version in a NuGet cache.
        var suffix = "packtest." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var projects = Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToArray();
        foreach (var project in projects)
        {
            var pack = await DotnetProcess.RunAsync(RepositoryLayout.Root, TimeSpan.FromMinutes(3), new Dictionary<string, string?>(),
                "pack", project, "-c", RepositoryLayout.Configuration, "--no-build", "--version-suffix", suffix, "-o", feed, "--disable-build-servers");
            Assert.That(pack.ExitCode, Is.EqualTo(0), "packing failed: " + pack);
        }

        var ids = projects.Select(Path.GetFileNameWithoutExtension).ToArray();
        var packed = new PackedPackages(feed, versionPrefix, $"{versionPrefix}-{suffix}", ids!);
        foreach (var id in packed.Ids)
        {
            Assert.That(File.Exists(packed.PackagePath(id)), Is.True, $"dotnet pack reported success but wrote no {packed.PackagePath(id)}");
        }

        return packed;
    }
}
