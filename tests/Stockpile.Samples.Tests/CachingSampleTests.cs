using Stockpile.Testing.Servers;

namespace Stockpile.Tests;

/// <summary>Runs the caching sample as a process, on memory and on memory over a private redis-server.</summary>
public sealed class CachingSampleTests
{
    /// <param name="withRedis">Whether REDIS_URL names a private redis-server.</param>
    [TestCase(false, TestName = "CachingSample_Runs_AndShowsEachFeature")]
    [TestCase(true, TestName = "CachingSample_Runs_AndShowsEachFeature(REDIS_URL)")]
    public async Task CachingSample_Runs_AndShowsEachFeature(bool withRedis)
    {
        await using var redis = withRedis ? await RedisServer.StartAsync() : null;

        var (exitCode, output, errors) = await SampleProcess.RunAsync("Stockpile.Samples.Caching", redis?.Url);

        Assert.That(exitCode, Is.EqualTo(0), errors);
        Assert.That(output, Does.Contain(withRedis ? "cache tiers: memory → redis" : "cache tiers: memory")
            .And.Contain("HybridCache: 3 reads of 'greeting', factory ran 1 time(s)")
            .And.Contain("operations: add True then False; hits:today = 3; pull 'worker-1' then 'nothing'")
            .And.Contain("batch: 50 then 100 prices in 2 queries; the second asked only for its 50 misses")
            .And.Contain("named caches: sessions has user:1 = ann, the default cache has nothing")
            .And.Contain("memoize: square(12) = 144 twice and square(13) = 169, computed 2 time(s)")
            .And.Contain("disable: greeting inside the scope = nothing, after it = hello #1")
            .And.Contain("tags: after RemoveByTagAsync(\"greetings\"), greeting = nothing"));
    }
}
