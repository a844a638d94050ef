using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Internal;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 3 (a miss served from the database within 1.1x each peer): a get-or-create on memory over Redis
/// whose key was in neither waited for three Redis round trips, the read, the <c>SET</c> of the made value and the
/// backplane's <c>PUBLISH</c>. Now the caller waits for the read and the factory; the value goes to memory at once and
/// reaches Redis, then the other instances, in the background, after any earlier write of the key and before any later
/// one of this process. Round trips are counted on a private redis-server while its writes are paused.
/// </summary>
[NonParallelizable]
public sealed class Issue12CacheMissFromDatabaseTests : PrivateRedisServerFixture
{
    [Test]
    public async Task GetOrCreateAsync_MissEverywhere_AnswersAfterTheReadAlone_WriteAndPublishFollow()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var prefix = TestStores.UniquePrefix();
        await using var cache = RedisCacheFactory.Create(new StockpileCacheOptions { WriteMadeValuesInBackground = true }, _ => new(connection), prefix, RedisCacheLayout.MemoryThenRedis, out var backplane);
        await using var other = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connection), prefix, RedisCacheLayout.RedisOnly, out _);
        await backplane!.Subscribed;
        var layered = (LayeredCacheTier)cache.Tier;
        Assert.That(await cache.GetOrCreateAsync("warm", 0, static (_, _) => new ValueTask<string>("warm")), Is.EqualTo("warm"));
        await layered.SettledAsync();
        await RedisCommandStats.ResetAsync(_redis.Port);

        await RedisCommandStats.PauseWritesAsync(_redis.Port);
        Dictionary<string, long> answered;
        try
        {
            // Behind the pause a SET the caller waited for would time out, and the call would fail.
            Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")), Is.EqualTo("made"));
            answered = await RedisCommandStats.ReadAsync(_redis.Port);
            Assert.That(layered.PendingMadeWrites, Is.EqualTo(1), "the write to Redis is still under way when the caller has the value");
            Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("made"), "memory has the value at once");
        }
        finally
        {
            await RedisCommandStats.UnpauseAsync(_redis.Port);
        }

        Assert.That(RedisCommandStats.Calls(answered, "get", "mget"), Is.EqualTo(1), $"one read: {string.Join(", ", answered)}");
        Assert.That(RedisCommandStats.Calls(answered, "set", "setex", "psetex", "publish", "evalsha", "eval"), Is.Zero, $"no write had run when the caller had the value: {string.Join(", ", answered)}");
        await layered.SettledAsync();
        var settled = await RedisCommandStats.ReadAsync(_redis.Port);
        Assert.That(RedisCommandStats.Calls(settled, "evalsha", "eval"), Is.EqualTo(1), $"one fenced write (a script): {string.Join(", ", settled)}");
        Assert.That(RedisCommandStats.Calls(settled, "publish"), Is.EqualTo(1), $"{string.Join(", ", settled)}");
        Assert.That(await other.GetAsync<string>("k"), Is.EqualTo("made"), "the value reached Redis after its caller had it");
    }

    [Test]
    public async Task GetOrCreateAsync_LaterWriteOfTheKey_WaitsForTheMadeValuesWrite_NeverOvertaken([Values] bool remove)
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var (cache, faulty, other) = HeldCache(connection, null);

        var (reached, release) = faulty.HoldNext(nameof(IDatabase.ScriptEvaluateAsync));
        Assert.That(await cache.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made")).AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("made"));
        await reached.WaitAsync(TimeSpan.FromSeconds(30));

        var later = remove ? cache.RemoveAsync("k").AsTask() : cache.SetAsync("k", "set later").AsTask();
        Assert.That(later.IsCompleted, Is.False, "the later write waits for the earlier background write of its key");
        release.SetResult();
        await later.WaitAsync(TimeSpan.FromSeconds(30));
        await ((LayeredCacheTier)cache.Tier).SettledAsync();

        Assert.That(await other.GetAsync<string>("k"), remove ? Is.Null : Is.EqualTo("set later"), "Redis holds what the later write left");
        Assert.That(await cache.GetAsync<string>("k"), remove ? Is.Null : Is.EqualTo("set later"));
    }

    [Test]
    public async Task GetOrCreateAsync_BackgroundWriteFails_LoggedAndDroppedFromMemory_MadeAgainOnTheNextMiss()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = logs.CreateFactory();
        var (cache, faulty, other) = HeldCache(connection, Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<Issue12CacheMissFromDatabaseTests>(loggerFactory));
        var made = 0;
        ValueTask<string> Factory(int _, CancellationToken __) => new($"made {Interlocked.Increment(ref made)}");

        var (reached, release) = faulty.HoldNext(nameof(IDatabase.ScriptEvaluateAsync));
        Assert.That(await cache.GetOrCreateAsync("k", 0, Factory).AsTask().WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo("made 1"), "the caller has its value");
        await reached.WaitAsync(TimeSpan.FromSeconds(30));
        // A server error, not an outage: a write Redis could not reach is skipped, not failed (Issue12CacheFailSafeTests).
#pragma warning disable CS0618 // The message-only constructor is enough for an error reply made up by a test.
        faulty.Fault = static () => new RedisServerException("OOM command not allowed when used memory > 'maxmemory' (injected).");
#pragma warning restore CS0618
        release.SetResult();
        await ((LayeredCacheTier)cache.Tier).SettledAsync();
        faulty.Fault = null;

        Assert.That(logs.Entries.Count(e => e.EventId.Name == "CacheMadeWriteFailed"), Is.EqualTo(1), "the failure is logged, not lost");
        Assert.That(await other.GetAsync<string>("k"), Is.Null);
        Assert.That(await cache.GetOrCreateAsync("k", 0, Factory), Is.EqualTo("made 2"), "memory dropped what Redis refused: the next miss makes the value again");
        await ((LayeredCacheTier)cache.Tier).SettledAsync();
        Assert.That(await other.GetAsync<string>("k"), Is.EqualTo("made 2"));
    }

    /// <summary>Memory over Redis through a <see cref="FaultyRedis"/> (calls can be held or failed), and a cache reading that Redis namespace alone.</summary>
    private static (StockpileCache Cache, FaultyRedis Faulty, StockpileCache Other) HeldCache(ConnectionMultiplexer connection, Microsoft.Extensions.Logging.ILogger? logger)
    {
        var faulty = new FaultyRedis(connection);
        var prefix = TestStores.UniquePrefix();
        var database = faulty.Database(connection);
        var cache = new StockpileCache(new StockpileCacheOptions { WriteMadeValuesInBackground = true }, (clock, serializer, o) =>
        {
            var link = new RedisLink(Task.FromResult<IConnectionMultiplexer>(connection), ownsMultiplexer: false, "test", new RedisCircuitBreakerOptions(), TimeProvider.System, NullLogger.Instance, RedisMetrics.Shared, _ => database);
            var redis = new RedisCacheTier(link, ownsLink: true, prefix, o.KeyPrefix, clock, serializer, 1_000, throwOnUnavailableWrites: false, logger ?? NullLogger.Instance, StockpileMetrics.Shared, RedisMetrics.Shared);
            return new LayeredCacheTier(new MemoryCacheTier(clock), redis, null, logger);
        });
        var other = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connection), prefix, RedisCacheLayout.RedisOnly, out _);
        return (cache, faulty, other);
    }
}
