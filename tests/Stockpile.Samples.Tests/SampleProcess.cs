using System.Diagnostics;

namespace Stockpile.Tests;

/// <summary>Runs a console sample, built alongside this assembly, as a process (the way the README tells a newcomer to).</summary>
internal static class SampleProcess
{
    /// <summary>Runs <c>samples/<paramref name="project"/></c>; <paramref name="redisUrl"/> becomes its REDIS_URL (none when <see langword="null"/>).</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string project, string? redisUrl)
    {
        // This assembly runs from tests/Stockpile.Samples.Tests/bin/<configuration>/<framework>/; the sample was built alongside.
        var folder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = folder;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Stockpile.sln")))
        {
            root = root.Parent;
        }

        Assert.That(root, Is.Not.Null, "repository root not found above " + folder.FullName);
        var dll = Path.Combine(root!.FullName, "samples", project, "bin", folder.Parent!.Name, folder.Name, project + ".dll");
        Assert.That(File.Exists(dll), Is.True, dll);
        var start = new ProcessStartInfo("dotnet", ["exec", dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("REDIS_URL");
        if (redisUrl is not null)
        {
            start.Environment["REDIS_URL"] = redisUrl;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        TestContext.Progress.WriteLine(await output);
        return (process.ExitCode, await output, await errors);
    }
}
