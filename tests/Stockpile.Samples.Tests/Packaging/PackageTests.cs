using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Stockpile.Tests.Packaging;

/// <summary>
/// Issue 12, packaging: <c>dotnet pack</c> makes the three packages with README, licence, tags, repository, XML docs,
/// symbols with SourceLink and deterministic assemblies, and the quickstart builds and runs against the packed packages.
/// </summary>
/// <remarks>Packs once for the fixture; the whole fixture takes 20–40 s on the shared 2-core machine (docs/packaging.md).</remarks>
public sealed class PackageTests
{
    private const string RepositoryUrl = "https://github.com/stockpile-dotnet/stockpile";
    private static readonly Guid s_sourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private string _scratch = "";
    private PackedPackages _packages = null!;

    [OneTimeSetUp]
    public async Task PackAsync()
    {
        _scratch = Directory.CreateTempSubdirectory("stockpile-pack-").FullName;
        _packages = await PackedPackages.PackAsync(Path.Combine(_scratch, "feed"));
    }

    [OneTimeTearDown]
    public void DeleteScratch()
    {
        Directory.Delete(_scratch, recursive: true);
    }

    [Test]
    public void Pack_EverySourceProject_MakesTheThreePackagesAtTheDeclaredVersion()
    {
        Assert.That(_packages.Ids, Is.SupersetOf(PackedPackages.ExpectedIds));
        Assert.That(_packages.VersionPrefix, Is.EqualTo("0.9.0"));
        foreach (var id in _packages.Ids)
        {
            using var package = ZipFile.OpenRead(_packages.PackagePath(id));
            var metadata = Nuspec(package).Root!.Elements().Single(static e => e.Name.LocalName == "metadata");
            Assert.That(Value(metadata, "id"), Is.EqualTo(id));
            Assert.That(Value(metadata, "version"), Is.EqualTo(_packages.Version));
        }
    }

    [Test]
    public void Pack_EachPackage_CarriesReadmeLicenceTagsRepositoryAndXmlDocs()
    {
        var readme = File.ReadAllBytes(Path.Combine(RepositoryLayout.Root, "README.md"));
        foreach (var id in _packages.Ids)
        {
            using var package = ZipFile.OpenRead(_packages.PackagePath(id));
            var metadata = Nuspec(package).Root!.Elements().Single(static e => e.Name.LocalName == "metadata");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(Value(metadata, "authors"), Is.EqualTo("Stockpile contributors"), id);
                Assert.That(Value(metadata, "description"), Is.Not.Empty, id);
                Assert.That(Value(metadata, "tags").Split(' '), Does.Contain("cache").And.Contain("efcore"), id);
                Assert.That(Value(metadata, "projectUrl"), Is.EqualTo(RepositoryUrl), id);
                var license = Element(metadata, "license");
                Assert.That(((string?)license.Attribute("type"), license.Value), Is.EqualTo(("expression", "MIT")), id);
                Assert.That(Value(metadata, "readme"), Is.EqualTo("README.md"), id);
                Assert.That(Read(package, "README.md"), Is.EqualTo(readme), id + ": the packed README is the repository's");
                var repository = Element(metadata, "repository");
                Assert.That((string?)repository.Attribute("type"), Is.EqualTo("git"), id);
                Assert.That((string?)repository.Attribute("url"), Is.EqualTo(RepositoryUrl), id);
                Assert.That((string?)repository.Attribute("commit"), Does.Match("^[0-9a-f]{40}$"), id);
                Assert.That(package.GetEntry($"lib/{RepositoryLayout.TargetFramework}/{id}.dll"), Is.Not.Null, id);
                Assert.That(Encoding.UTF8.GetString(Read(package, $"lib/{RepositoryLayout.TargetFramework}/{id}.xml")),
                    Does.Contain("<member name=\"T:"), id + ": XML docs");
            }
        }
    }

    [Test]
    public void Pack_Integrations_DependOnStockpileCoreAtTheSameVersion()
    {
        foreach (var id in _packages.Ids.Where(static id => id != "Stockpile.Core"))
        {
            using var package = ZipFile.OpenRead(_packages.PackagePath(id));
            var core = Nuspec(package).Descendants().Single(static e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == "Stockpile.Core");
            Assert.That((string?)core.Attribute("version"), Is.EqualTo(_packages.Version), id);
        }
    }

    [Test]
    public void Pack_EachPackage_HasDeterministicAssemblyAndSymbolsLinkedToItsCommit()
    {
        foreach (var id in _packages.Ids)
        {
            using var package = ZipFile.OpenRead(_packages.PackagePath(id));
            var commit = (string?)Element(Nuspec(package).Root!.Elements().Single(static e => e.Name.LocalName == "metadata"), "repository").Attribute("commit");
            using (var pe = new PEReader(new MemoryStream(Read(package, $"lib/{RepositoryLayout.TargetFramework}/{id}.dll"))))
            {
                Assert.That(pe.ReadDebugDirectory().Select(static d => d.Type), Does.Contain(DebugDirectoryEntryType.Reproducible), id + ": deterministic build");
            }

            Assert.That(File.Exists(_packages.SymbolsPath(id)), Is.True, _packages.SymbolsPath(id));
            using var symbols = ZipFile.OpenRead(_packages.SymbolsPath(id));
            using var pdb = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(Read(symbols, $"lib/{RepositoryLayout.TargetFramework}/{id}.pdb")));
            var reader = pdb.GetMetadataReader();
            var sourceLink = reader.CustomDebugInformation
                .Select(reader.GetCustomDebugInformation)
                .Where(cdi => reader.GetGuid(cdi.Kind) == s_sourceLinkKind)
                .Select(cdi => reader.GetBlobBytes(cdi.Value))
                .SingleOrDefault();
            Assert.That(sourceLink, Is.Not.Null, id + ": no SourceLink in the PDB");
            var documents = JsonDocument.Parse(sourceLink!).RootElement.GetProperty("documents").EnumerateObject()
                .Select(static d => d.Value.GetString()).ToArray();
            Assert.That(documents, Is.EqualTo(new[] { $"https://raw.githubusercontent.com/stockpile-dotnet/stockpile/{commit}/*" }), id);
        }
    }

    [Test]
    public async Task Quickstart_AgainstThePackedPackages_BuildsRunsAndShowsTheCacheFollowingTheCommit()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_scratch, "quickstart")).FullName;
        var packagesFolder = Directory.CreateDirectory(Path.Combine(_scratch, "packages")).FullName;
        var project = await PackedQuickstart.WriteAsync(folder, _packages, packagesFolder);
        // NUGET_PACKAGES would override the scratch NuGet.config's packages folder.
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = null, ["REDIS_URL"] = null };

        var build = await DotnetProcess.RunAsync(folder, TimeSpan.FromMinutes(5), environment,
            "build", project, "-c", "Release", "--disable-build-servers");
        Assert.That(build.ExitCode, Is.EqualTo(0), "the quickstart did not build against the packed packages: " + build);

        // Stockpile came from the packed packages: restored as packages, and the very assemblies that were packed.
        var output = Path.Combine(folder, "bin", "Release", RepositoryLayout.TargetFramework);
        using var assets = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "obj", "project.assets.json")));
        foreach (var id in PackedPackages.ExpectedIds)
        {
            var library = assets.RootElement.GetProperty("libraries").GetProperty($"{id}/{_packages.Version}");
            Assert.That(library.GetProperty("type").GetString(), Is.EqualTo("package"), id);
            using var package = ZipFile.OpenRead(_packages.PackagePath(id));
            Assert.That(await File.ReadAllBytesAsync(Path.Combine(output, id + ".dll")),
                Is.EqualTo(Read(package, $"lib/{RepositoryLayout.TargetFramework}/{id}.dll")), id);
        }

        var run = await DotnetProcess.RunAsync(output, TimeSpan.FromMinutes(2), environment,
            "exec", Path.Combine(output, PackedQuickstart.Name + ".dll"));
        TestContext.Progress.WriteLine(run.Output);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Output, Does.Contain("tiers memory → database").And.Contain("old ISBN → miss").And.Contain("warm: by id"), run.ToString());
    }

    private static XDocument Nuspec(ZipArchive package) =>
        XDocument.Load(package.Entries.Single(static e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());

    private static XElement Element(XElement parent, string name) =>
        parent.Elements().SingleOrDefault(e => e.Name.LocalName == name) ?? throw new AssertionException($"nuspec has no <{name}>");

    private static string Value(XElement parent, string name) => Element(parent, name).Value;

    private static byte[] Read(ZipArchive archive, string path)
    {
        var entry = archive.GetEntry(path) ?? throw new AssertionException($"package has no {path}");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
