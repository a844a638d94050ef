using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Internal;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Fakes;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 3 (session 6): a value a get-or-create made reaches Redis after its caller has it. Another instance's
/// write of the key made after that answer, but before the background write landed, was overtaken: the made value
/// replaced what the later write left, and stayed until it expired (<c>RedisCacheBackplaneTests</c> saw a remove lost).
/// The background write is now fenced: it lands only if the key still holds no live value and no remove, pull or flush
/// of any instance touched it since the flight read it; otherwise it is dropped, and so is the made value in memory.
/// B's write is held before it reaches Redis (<see cref="FaultyRedis.Before"/>) while A writes; one server and the cluster.
/// </summary>
public sealed class Issue12BackgroundWriteCacheTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    public enum LaterWrite
    {
        Remove,
        Set,
        Pull,
        Flush,
    }

    [Test]
    public async Task GetOrCreateAsync_AnotherInstanceWritesBeforeTheMadeValueLands_TheLaterWriteWins([Values] LaterWrite later, [Values] bool cluster)
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync(cluster);
        var faulty = new FaultyRedis(connection);
        var prefix = TestStores.UniquePrefix();
        await using var b = BackgroundCache(faulty, prefix);
        await using var a = RedisOnly(connection, prefix);
        await WarmUpAsync(b);
        var (reached, release) = HoldNextWrite(faulty);

        Assert.That(await b.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made by B")).AsTask().WaitAsync(s_bound), Is.EqualTo("made by B"));
        await reached.WaitAsync(s_bound);

        // A's write comes after B's caller had its value, before B's write reaches Redis.
        switch (later)
        {
            case LaterWrite.Remove:
                await a.SetAsync("k", "set by A");
                Assert.That(await a.RemoveAsync("k"), Is.True);
                break;
            case LaterWrite.Set:
                await a.SetAsync("k", "set by A");
                break;
            case LaterWrite.Pull:
                await a.SetAsync("k", "set by A");
                Assert.That(await a.PullAsync<string>("k"), Is.EqualTo("set by A"));
                break;
            case LaterWrite.Flush:
                await a.SetAsync("k", "set by A");
                await a.FlushAsync();
                break;
        }

        release.SetResult();
        await ((LayeredCacheTier)b.Tier).SettledAsync().WaitAsync(s_bound);

        var expected = later == LaterWrite.Set ? "set by A" : null;
        Assert.That(await a.GetAsync<string>("k"), Is.EqualTo(expected), "Redis holds what A's later write left, not B's older made value");
        Assert.That(await b.GetAsync<string>("k"), Is.EqualTo(expected), "B's memory dropped the made value Redis refused");
    }

    [Test]
    public async Task GetOrCreateAsync_AnotherInstanceRemovedBeforeTheRead_MadeValueStillReachesRedis([Values] bool flush, [Values] bool cluster)
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync(cluster);
        var prefix = TestStores.UniquePrefix();
        await using var b = BackgroundCache(new FaultyRedis(connection), prefix);
        await using var a = RedisOnly(connection, prefix);
        await a.SetAsync("k", "set by A");
        if (flush)
        {
            await a.FlushAsync();
        }
        else
        {
            Assert.That(await a.RemoveAsync("k"), Is.True);
        }

        // The fence A left is older than B's read: B's write is not refused.
        Assert.That(await b.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made by B")), Is.EqualTo("made by B"));
        await ((LayeredCacheTier)b.Tier).SettledAsync().WaitAsync(s_bound);
        Assert.That(await a.GetAsync<string>("k"), Is.EqualTo("made by B"));
    }

    [Test]
    public async Task GetOrCreateAsync_TagRemovedByAnotherInstance_ValueMadeInPlaceOfTheStaleOneReachesRedis()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var prefix = TestStores.UniquePrefix();
        await using var b = BackgroundCache(new FaultyRedis(connection), prefix);
        await using var a = RedisOnly(connection, prefix);
        var made = 0;
        ValueTask<string> Factory(int _, CancellationToken __) => new($"made {Interlocked.Increment(ref made)}");
        var tagged = new StockpileCacheEntryOptions { Tags = ["tenant:1"] };
        Assert.That(await b.GetOrCreateAsync("k", 0, Factory, tagged), Is.EqualTo("made 1"));
        await ((LayeredCacheTier)b.Tier).SettledAsync().WaitAsync(s_bound);

        // B's memory and Redis both hold the value under the tag's old version: the flight reads what Redis holds,
        // and its write replaces exactly that stale entry.
        await a.RemoveByTagAsync("tenant:1");
        Assert.That(await b.GetOrCreateAsync("k", 0, Factory, tagged), Is.EqualTo("made 2"));
        await ((LayeredCacheTier)b.Tier).SettledAsync().WaitAsync(s_bound);
        Assert.That(await a.GetAsync<string>("k"), Is.EqualTo("made 2"), "the value made in place of the stale one reached Redis");
    }

    /// <summary>The first call of a cache loads its scripts and connects; what the tests hold is the steady state.</summary>
    private static async Task WarmUpAsync(StockpileCache cache)
    {
        Assert.That(await cache.GetOrCreateAsync("warm", 0, static (_, _) => new ValueTask<string>("warm")), Is.EqualTo("warm"));
        await ((LayeredCacheTier)cache.Tier).SettledAsync().WaitAsync(s_bound);
    }

    /// <summary>Holds the next write (a <c>SET</c> or a script) before it reaches Redis, until the source is completed.</summary>
    private static (Task Reached, TaskCompletionSource Release) HoldNextWrite(FaultyRedis faulty)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        faulty.Before = (name, _) => name is nameof(IDatabase.StringSetAsync) or nameof(IDatabase.ScriptEvaluateAsync) && reached.TrySetResult()
            ? release.Task
            : Task.CompletedTask;
        return (reached.Task, release);
    }

    /// <summary>B: memory over Redis with made values written in the background, through a <see cref="FaultyRedis"/>.</summary>
    private static StockpileCache BackgroundCache(FaultyRedis faulty, string prefix)
    {
        var database = faulty.Database(faulty.Multiplexer);
        return new StockpileCache(new StockpileCacheOptions { WriteMadeValuesInBackground = true }, (clock, serializer, o) =>
        {
            var link = new RedisLink(Task.FromResult<IConnectionMultiplexer>(faulty.Multiplexer), ownsMultiplexer: false, "test", new RedisCircuitBreakerOptions(), TimeProvider.System, NullLogger.Instance, RedisMetrics.Shared, _ => database);
            var redis = new RedisCacheTier(link, ownsLink: true, prefix, o.KeyPrefix, clock, serializer, 1_000, throwOnUnavailableWrites: false, NullLogger.Instance, StockpileMetrics.Shared, RedisMetrics.Shared);
            return new LayeredCacheTier(new MemoryCacheTier(clock), redis);
        });
    }

    /// <summary>A: another instance, on the same namespace in Redis alone.</summary>
    private static StockpileCache RedisOnly(ConnectionMultiplexer connection, string prefix) =>
        RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connection), prefix, RedisCacheLayout.RedisOnly, out _);
}
