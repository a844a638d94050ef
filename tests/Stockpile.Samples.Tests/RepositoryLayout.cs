namespace Stockpile.Tests;

/// <summary>Where this test assembly sits in the repository, for tests that run or pack its projects.</summary>
internal static class RepositoryLayout
{
    // This assembly runs from tests/Stockpile.Samples.Tests/bin/<configuration>/<framework>/.
    private static readonly DirectoryInfo s_output = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>Gets the repository root: the folder above this assembly that holds Stockpile.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Gets the build configuration this assembly was built in (the projects it depends on were built alike).</summary>
    public static string Configuration => s_output.Parent!.Name;

    /// <summary>Gets the target framework folder name this assembly was built for.</summary>
    public static string TargetFramework => s_output.Name;

    private static string FindRoot()
    {
        for (var folder = s_output; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Stockpile.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("repository root (the folder holding Stockpile.sln) not found above " + s_output.FullName);
    }
}
