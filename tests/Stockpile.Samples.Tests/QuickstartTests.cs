using System.Diagnostics;
using Stockpile.Testing.Servers;

namespace Stockpile.Tests;

/// <summary>Runs the quickstart (the project's main job) as a process, the way the README tells a newcomer to.</summary>
public sealed class QuickstartTests
{
    /// <param name="withRedis">Whether REDIS_URL names a private redis-server (a <c>redis://</c> URL, translated to StackExchange.Redis options).</param>
    [TestCase(false, TestName = "Quickstart_Runs_AndShowsTheCacheFollowingTheCommit")]
    [TestCase(true, TestName = "Quickstart_Runs_AndShowsTheCacheFollowingTheCommit(REDIS_URL)")]
    public async Task Quickstart_Runs_AndShowsTheCacheFollowingTheCommit(bool withRedis)
    {
        await using var redis = withRedis ? await RedisServer.StartAsync() : null;
        // This assembly runs from tests/Stockpile.Samples.Tests/bin/<configuration>/<framework>/; the quickstart was built alongside.
        var folder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = folder;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Stockpile.sln")))
        {
            root = root.Parent;
        }

        Assert.That(root, Is.Not.Null, "repository root not found above " + folder.FullName);
        var dll = Path.Combine(root!.FullName, "samples", "Stockpile.Quickstart", "bin", folder.Parent!.Name, folder.Name, "Stockpile.Quickstart.dll");
        Assert.That(File.Exists(dll), Is.True, dll);
        var start = new ProcessStartInfo("dotnet", ["exec", dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("REDIS_URL");
        if (redis is not null)
        {
            start.Environment["REDIS_URL"] = redis.Url;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        TestContext.Progress.WriteLine(await output);

        Assert.That(process.ExitCode, Is.EqualTo(0), await errors);
        Assert.That(await output, Does.Contain(withRedis ? "tiers memory → redis → database" : "tiers memory → database")
            .And.Contain("old ISBN → miss")
            .And.Contain("warm: by id"));
    }
}
