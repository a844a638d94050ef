using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.Fakes;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Regression: <c>RedisRestartTests.RedisFrozenMidWorkload_NoCallerFails_NoStaleValueAfterwards</c> failed now and then,
/// one instance serving an older state of a row after Redis was frozen and thawed. Instance A committed while Redis was
/// away: its eviction from Redis was skipped (the key recorded as missed) and its backplane message was kept unsent.
/// When Redis answered again, A's backplane republished the message (on the reconnect, or before its next publish)
/// without waiting for A's store to remove the missed key from Redis, which goes on in the background. Instance B
/// evicted its memory tier, read again, found the older state still in Redis and kept it in memory: the clean-up then
/// removed it from Redis, but nothing evicted it from B's memory again. Every call through the link, publishes
/// included, now runs the clean-up first.
/// </summary>
[NonParallelizable]
public sealed class RepublishBeforeCleanupTests
{
    [Test]
    public async Task RedisAwayDuringCommit_BackplaneRepublishesBeforeTheCleanup_OtherInstanceKeepsNoOlderState()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var faulty = new FaultyRedis(connection);
        var database = new FakeDatabase();
        var id = TestStores.NextId();
        await database.PutAsync(new Row { Id = id, Code = $"R{id}", Name = "v1" });
        var prefix = TestStores.UniquePrefix();

        // A speaks to Redis through the faulty wrapper; its break is long, so its background clean-up does not run
        // before the test makes a call through A's store.
        var breaker = new RedisCircuitBreakerOptions { FailureThreshold = 3, BreakDuration = TimeSpan.FromMinutes(10) };
        await using var a = await AppInstance.StartAsync(
            RedisTestEnvironment.ConnectionString,
            prefix,
            b => b.AddTier(_ => database),
            services => services.AddSingleton(new RedisLink(Task.FromResult<IConnectionMultiplexer>(connection), ownsMultiplexer: false, "test", breaker, TimeProvider.System, NullLogger.Instance, RedisMetrics.Shared, faulty.Database, faulty.Subscriber)),
            o => o.CircuitBreaker.BreakDuration = breaker.BreakDuration);
        await using var b = await AppInstance.StartAsync(RedisTestEnvironment.ConnectionString, prefix, b => b.AddTier(_ => database));

        Assert.That((await b.Chain.GetAsync<Row, int>(id))?.Name, Is.EqualTo("v1"), "B reads v1 and back-fills Redis and its memory");

        // A commits v2 while Redis is away: the database first, then the chain evicts (skipped in Redis, not published).
        faulty.Fault = FaultyRedis.Down;
        var committed = new Row { Id = id, Code = $"R{id}", Name = "v2" };
        await database.PutAsync(committed);
        await a.Chain.InvalidateAsync([EntityKey.FromEntity(committed), EntityKey.Of<Row>(nameof(Row.Code), committed.Code)]);
        Assert.That(a.Redis.MissedKeyCount, Is.GreaterThan(0), "A's eviction from Redis was skipped and recorded");

        // Redis answers again; A's backplane sends what it kept (as on the reconnect) before its next message.
        faulty.Fault = null;
        var evicted = b.Count("BackplaneEvicted");
        await a.Backplane.PublishEvictAsync([EntityKey.For<Row>(TestStores.NextId())]);
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneEvicted") >= evicted + 2), TimeSpan.FromSeconds(10));

        // B re-reads after the eviction; then A's store removes what it missed (if it has not yet).
        var reread = (await b.Chain.GetAsync<Row, int>(id))?.Name;
        await a.Redis.GetAsync<Row, int>(id);
        Assert.That(a.Redis.MissedKeyCount, Is.Zero, "A's clean-up ran");

        Assert.That(reread, Is.EqualTo("v2"), "B did not find the older state in Redis after A's message");
        Assert.That((await b.Chain.GetAsync<Row, int>(id))?.Name, Is.EqualTo("v2"), "no older state outlived the clean-up in B's memory");
    }
}
