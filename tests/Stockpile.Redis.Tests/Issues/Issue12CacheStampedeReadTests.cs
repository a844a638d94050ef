using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Caching;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, benchmark item 5 (1,000 concurrent cold requests for one key): on memory over Redis, every caller that
/// missed the process memory read Redis before joining the key's flight, so a stampede of 1,000 callers sent 1,000
/// <c>GET</c>s for one factory call (the cache took about twice HybridCache's time to serve them all). A miss in memory
/// now joins the flight at once, and the flight reads Redis once for all its callers.
/// </summary>
public sealed class Issue12CacheStampedeReadTests : RedisCacheFixture
{
    private const int Callers = 1_000;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);
    private protected override RedisCacheLayout Layout => RedisCacheLayout.MemoryThenRedis;

    [Test]
    public async Task GetOrCreateAsync_1000CallersMissOneKey_RedisReadOnceForAll_FactoryRunsOnce()
    {
        // A multiplexer of the test's own, so its operation count is this cache's alone.
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        await using var cache = _redis.Create(new StockpileCacheOptions(), connection);
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var before = connection.OperationCount;

        var callers = new Task<string>[Callers];
        for (var i = 0; i < callers.Length; i++)
        {
            callers[i] = cache.GetOrCreateAsync("cold", gate, async (g, _) =>
            {
                Interlocked.Increment(ref runs);
                return await g.Task;
            }).AsTask();
        }

        Assert.That(SpinWait.SpinUntil(() => cache.WaitersOf("cold") == Callers, s_bound), Is.True, "every caller joins the flight");
        Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref runs) == 1, s_bound), Is.True, "the factory runs");
        var operations = connection.OperationCount - before;
        gate.SetResult("made");
        var values = await Task.WhenAll(callers);

        Assert.That(values, Has.All.EqualTo("made"));
        Assert.That(runs, Is.EqualTo(1), "one factory call for every caller");
        Assert.That(operations, Is.LessThanOrEqualTo(2), $"Redis commands before the factory returned, for {Callers} callers of one key: the flight's read only");
    }
}
