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

        var (exitCode, output, errors) = await SampleProcess.RunAsync("Stockpile.Quickstart", redis?.Url);

        Assert.That(exitCode, Is.EqualTo(0), errors);
        Assert.That(output, Does.Contain(withRedis ? "tiers memory → redis → database" : "tiers memory → database")
            .And.Contain("old ISBN → miss")
            .And.Contain("warm: by id"));
    }
}
