using System.Xml.Linq;

namespace Stockpile.Tests.Packaging;

/// <summary>
/// samples/Stockpile.Quickstart's source in a scratch folder, with a project file that takes Stockpile from the packed
/// packages (package references, no project reference) and nothing from the repository's build files.
/// </summary>
internal static class PackedQuickstart
{
    /// <summary>The project name, as in the repository (the output is then <c>Stockpile.Quickstart.dll</c>).</summary>
    public const string Name = "Stockpile.Quickstart";

    private static readonly string s_sample = Path.Combine(RepositoryLayout.Root, "samples", Name);

    /// <summary>Writes the scratch project into <paramref name="folder"/> and returns its project file.</summary>
    /// <param name="folder">An empty folder for the project.</param>
    /// <param name="packages">The packed packages to reference.</param>
    /// <param name="packagesFolder">An empty folder: the scratch restore's global packages folder.</param>
    public static async Task<string> WriteAsync(string folder, PackedPackages packages, string packagesFolder)
    {
        foreach (var source in Directory.EnumerateFiles(s_sample, "*.cs", SearchOption.AllDirectories)
                     .Where(static f => !IsBuildOutput(Path.GetRelativePath(s_sample, f))))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(s_sample, source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }

        // Stoppers: MSBuild and NuGet look for these upwards from the project; here they find these and go no further,
        // so neither the repository's settings nor central package management reach the scratch build.
        const string Stopper = "<Project>\n  <!-- Stops the upward search for this file: the scratch build uses only its own project file. -->\n</Project>\n";
        await File.WriteAllTextAsync(Path.Combine(folder, "Directory.Build.props"), Stopper);
        await File.WriteAllTextAsync(Path.Combine(folder, "Directory.Build.targets"), Stopper);
        await File.WriteAllTextAsync(Path.Combine(folder, "Directory.Packages.props"), Stopper);

        // The packed feed as a source. The machine's own sources (user-level NuGet.Config) still apply: NuGet merges
        // them in, as nothing here clears them. Restored packages go to a scratch folder, so the packed ones never
        // enter the machine's cache; everything else comes from the machine's global packages folder, as a fallback.
        var nugetConfig = new XElement("configuration",
            new XElement("config", Add("globalPackagesFolder", packagesFolder)),
            new XElement("packageSources", Add("stockpile-packed", packages.Feed)),
            new XElement("fallbackPackageFolders", Add("machine", await MachineGlobalPackagesFolderAsync())));
        await File.WriteAllTextAsync(Path.Combine(folder, "NuGet.config"), nugetConfig.ToString());

        var project = Path.Combine(folder, Name + ".csproj");
        await File.WriteAllTextAsync(project, ProjectFile(packages).ToString());
        return project;
    }

    /// <summary>
    /// The sample's project file turned inside out: each project reference to a package becomes a package reference to
    /// the packed version, each package reference gets the version the repository pins centrally.
    /// </summary>
    private static XElement ProjectFile(PackedPackages packages)
    {
        var sample = XDocument.Load(Path.Combine(s_sample, Name + ".csproj"));
        var pinned = XDocument.Load(Path.Combine(RepositoryLayout.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(static e => (string)e.Attribute("Include")!, static e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
        var stockpile = sample.Descendants("ProjectReference")
            .Select(static e => Path.GetFileNameWithoutExtension(((string)e.Attribute("Include")!).Replace('\\', '/')))
            .ToArray();
        Assert.That(stockpile, Is.SubsetOf(packages.Ids), "the quickstart references a project that is not packed");
        var others = sample.Descendants("PackageReference").Select(static e => (string)e.Attribute("Include")!).ToArray();
        Assert.That(others.Where(id => !pinned.ContainsKey(id)), Is.Empty, "no central version for the quickstart's packages");

        return new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement("PropertyGroup",
                new XElement("OutputType", "Exe"),
                new XElement("TargetFramework", RepositoryLayout.TargetFramework),
                new XElement("Nullable", "enable"),
                new XElement("ImplicitUsings", "enable"),
                new XElement("ManagePackageVersionsCentrally", "false")),
            new XElement("ItemGroup",
                stockpile.Select(id => PackageReference(id, packages.Version))
                    .Concat(others.Select(id => PackageReference(id, pinned[id])))));
    }

    private static XElement PackageReference(string id, string version) =>
        new("PackageReference", new XAttribute("Include", id), new XAttribute("Version", version));

    private static XElement Add(string key, string value) =>
        new("add", new XAttribute("key", key), new XAttribute("value", value));

    private static bool IsBuildOutput(string relativePath) =>
        relativePath.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
        || relativePath.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static async Task<string> MachineGlobalPackagesFolderAsync()
    {
        var locals = await DotnetProcess.RunAsync(RepositoryLayout.Root, TimeSpan.FromMinutes(1), new Dictionary<string, string?>(),
            "nuget", "locals", "global-packages", "--list");
        Assert.That(locals.ExitCode, Is.EqualTo(0), locals.ToString());
        // "global-packages: /root/.nuget/packages/"
        var folder = locals.Output.Trim().Split(':', 2)[1].Trim();
        Assert.That(Directory.Exists(folder), Is.True, locals.ToString());
        return folder;
    }
}
