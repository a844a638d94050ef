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
        // Built alongside this assembly (a project reference of this test project), run from its own output folder.
        var dll = Path.Combine(RepositoryLayout.Root, "samples", "Stockpile.Quickstart", "bin", RepositoryLayout.Configuration, RepositoryLayout.TargetFramework, "Stockpile.Quickstart.dll");
        Assert.That(File.Exists(dll), Is.True, dll);

        var run = await DotnetProcess.RunAsync(Path.GetDirectoryName(dll)!, TimeSpan.FromMinutes(2),
            new Dictionary<string, string?> { ["REDIS_URL"] = redis?.Url }, "exec", dll);
        TestContext.Progress.WriteLine(run.Output);

        AssertRanAndShowedTheCacheFollowingTheCommit(run, withRedis ? "memory → redis → database" : "memory → database");
    }

    /// <summary>What a good quickstart run ends with, whichever way it was built.</summary>
    internal static void AssertRanAndShowedTheCacheFollowingTheCommit(ProcessResult run, string tiers)
    {
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Output, Does.Contain("tiers " + tiers)
            .And.Contain("old ISBN → miss")
            .And.Contain("warm: by id"), run.ToString());
    }
}
