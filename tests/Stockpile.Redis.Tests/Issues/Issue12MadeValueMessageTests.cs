using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Fakes;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 3 (lane pub9): a value a get-or-create made on memory over Redis is announced to the other instances
/// by the <c>SetMade</c> script that stores it (a <c>PUBLISH</c> in the same script), not by a second round trip after
/// the script's answer: one call per made value's write, and the message leaves only with a write that landed.
/// Instance A's calls go through a <see cref="FaultyRedis"/>, which names each one; instance B, on a multiplexer of its
/// own, holds the key in memory. Every wait is for an event (B's eviction, a held call), never for a time.
/// </summary>
public sealed class Issue12MadeValueMessageTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task GetOrCreateAsync_MadeValueStored_ItsScriptAnnouncesIt_AndAnotherInstancesMemoryCopyIsEvicted([Values] bool cluster)
    {
        await using var connectionA = await RedisTestEnvironment.ConnectAsync(cluster);
        await using var connectionB = await RedisTestEnvironment.ConnectAsync(cluster);
        var faulty = new FaultyRedis(connectionA);
        var prefix = TestStores.UniquePrefix();
        await using var a = Cache(faulty, prefix, out var aBackplane);
        await using var b = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connectionB), prefix, RedisCacheLayout.MemoryThenRedis, out var bBackplane);
        await Task.WhenAll(aBackplane.Subscribed, bBackplane!.Subscribed).WaitAsync(s_bound);
        await WarmUpAsync(a);
        await HoldInMemoryOfBOnlyAsync(a, aBackplane, b, connectionB, "k");

        faulty.Reset();
        var evicted = Evicted(bBackplane, "k");
        Assert.That(await a.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made by A")), Is.EqualTo("made by A"));
        await ((LayeredCacheTier)a.Tier).SettledAsync().WaitAsync(s_bound);
        await evicted.WaitAsync(s_bound);

        Assert.Multiple(async () =>
        {
            Assert.That(await b.GetAsync<string>("k"), Is.EqualTo("made by A"), "B dropped its memory copy and read A's made value from Redis");
            Assert.That(faulty.Commands, Has.None.EqualTo(nameof(ISubscriber.PublishAsync)), "no PUBLISH of its own after the write");
            Assert.That(faulty.Commands.Count(static c => c == nameof(IDatabase.ScriptEvaluateAsync)), Is.EqualTo(1), "one script stored the value and sent the message");
        });
    }

    [Test]
    public async Task GetOrCreateAsync_MadeValueStored_ItsOwnMessageIsDropped_MemoryKeepsTheValue()
    {
        await using var connectionA = await RedisTestEnvironment.ConnectAsync();
        await using var connectionB = await RedisTestEnvironment.ConnectAsync();
        var faulty = new FaultyRedis(connectionA);
        var prefix = TestStores.UniquePrefix();
        await using var a = Cache(faulty, prefix, out var aBackplane);
        await using var b = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connectionB), prefix, RedisCacheLayout.MemoryThenRedis, out var bBackplane);
        await Task.WhenAll(aBackplane.Subscribed, bBackplane!.Subscribed).WaitAsync(s_bound);
        await WarmUpAsync(a);
        var heardByA = Heard(aBackplane);

        Assert.That(await a.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made by A")), Is.EqualTo("made by A"));
        await ((LayeredCacheTier)a.Tier).SettledAsync().WaitAsync(s_bound);

        // B's message is published after A's script ran, on the same server: A hears them in that order.
        var marker = Evicted(aBackplane, "marker");
        await b.SetAsync("marker", "set by B");
        await marker.WaitAsync(s_bound);

        Assert.Multiple(() =>
        {
            Assert.That(heardByA, Has.None.EqualTo("k"), "A dropped its own message");
            Assert.That(((LayeredCacheTier)a.Tier).Memory.Get("k"), Is.Not.Null, "A's memory still holds the value it made");
        });
    }

    [Test]
    public async Task GetOrCreateAsync_MadeValueRefused_NothingIsAnnounced()
    {
        await using var connectionA = await RedisTestEnvironment.ConnectAsync();
        await using var connectionB = await RedisTestEnvironment.ConnectAsync();
        var faulty = new FaultyRedis(connectionA);
        var prefix = TestStores.UniquePrefix();
        await using var a = Cache(faulty, prefix, out var aBackplane);
        await using var b = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connectionB), prefix, RedisCacheLayout.MemoryThenRedis, out var bBackplane);
        await using var c = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connectionB), prefix, RedisCacheLayout.RedisOnly, out _);
        await Task.WhenAll(aBackplane.Subscribed, bBackplane!.Subscribed).WaitAsync(s_bound);
        await WarmUpAsync(a);
        var heardByB = Heard(bBackplane);
        var (reached, release) = faulty.HoldNext(nameof(IDatabase.ScriptEvaluateAsync));

        Assert.That(await a.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made by A")), Is.EqualTo("made by A"));
        await reached.WaitAsync(s_bound);
        await c.SetAsync("k", "set by C"); // Redis alone: no message; its fence refuses A's write
        release.SetResult();
        await ((LayeredCacheTier)a.Tier).SettledAsync().WaitAsync(s_bound);

        // A's next message leaves after its refused script ran, on the same server: B hears them in that order.
        var marker = Evicted(bBackplane, "marker");
        await a.SetAsync("marker", "set by A");
        await marker.WaitAsync(s_bound);

        Assert.Multiple(async () =>
        {
            Assert.That(heardByB, Has.None.EqualTo("k"), "a refused write announces nothing");
            Assert.That(await c.GetAsync<string>("k"), Is.EqualTo("set by C"), "the later write stands in Redis");
            Assert.That(await a.GetAsync<string>("k"), Is.EqualTo("set by C"), "A's memory dropped the refused value");
        });
    }

    [Test]
    public async Task GetOrCreateAsync_ConnectionWithAChannelPrefix_PublishesSeparately_AndBStillHearsIt()
    {
        static void Prefixed(ConfigurationOptions options) => options.ChannelPrefix = RedisChannel.Literal("pub9:");
        await using var connectionA = await RedisTestEnvironment.ConnectAsync(Prefixed);
        await using var connectionB = await RedisTestEnvironment.ConnectAsync(Prefixed);
        var faulty = new FaultyRedis(connectionA);
        var prefix = TestStores.UniquePrefix();
        await using var a = Cache(faulty, prefix, out var aBackplane);
        await using var b = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connectionB), prefix, RedisCacheLayout.MemoryThenRedis, out var bBackplane);
        await Task.WhenAll(aBackplane.Subscribed, bBackplane!.Subscribed).WaitAsync(s_bound);
        await WarmUpAsync(a);
        await HoldInMemoryOfBOnlyAsync(a, aBackplane, b, connectionB, "k");

        faulty.Reset();
        var evicted = Evicted(bBackplane, "k");
        Assert.That(await a.GetOrCreateAsync("k", 0, static (_, _) => new ValueTask<string>("made by A")), Is.EqualTo("made by A"));
        await ((LayeredCacheTier)a.Tier).SettledAsync().WaitAsync(s_bound);
        await evicted.WaitAsync(s_bound);

        Assert.Multiple(async () =>
        {
            Assert.That(await b.GetAsync<string>("k"), Is.EqualTo("made by A"));
            Assert.That(faulty.Commands, Has.One.EqualTo(nameof(ISubscriber.PublishAsync)), "a script names its channel as is: the prefixed channel is published to by the subscriber");
        });
    }

    /// <summary>A: memory over Redis with its backplane, every call of its link through <paramref name="faulty"/>.</summary>
    private static StockpileCache Cache(FaultyRedis faulty, string prefix, out RedisCacheBackplane backplane)
    {
        var link = new RedisLink(Task.FromResult(faulty.Multiplexer), ownsMultiplexer: false, "test", new RedisCircuitBreakerOptions(), TimeProvider.System, NullLogger.Instance, RedisMetrics.Shared, faulty.Database, faulty.Subscriber);
        var cache = RedisCacheFactory.Create(new StockpileCacheOptions(), link, ownsLink: true, prefix, RedisCacheLayout.MemoryThenRedis, 1_000, throwOnUnavailableWrites: false, out var made, null, null, null, RedisMetrics.Shared);
        backplane = made!;
        return cache;
    }

    /// <summary>The first call loads the scripts and connects; what the tests count is the steady state.</summary>
    private static async Task WarmUpAsync(StockpileCache cache)
    {
        Assert.That(await cache.GetOrCreateAsync("warm", 0, static (_, _) => new ValueTask<string>("warm")), Is.EqualTo("warm"));
        await ((LayeredCacheTier)cache.Tier).SettledAsync().WaitAsync(s_bound);
    }

    /// <summary>
    /// Leaves <paramref name="key"/> in B's memory and nowhere else: B sets it (A hears of it first), then its entry is
    /// deleted from Redis by hand, with no message, as if Redis had let it expire before B's memory did.
    /// </summary>
    private static async Task HoldInMemoryOfBOnlyAsync(StockpileCache a, RedisCacheBackplane aBackplane, StockpileCache b, ConnectionMultiplexer connection, string key)
    {
        var heard = Evicted(aBackplane, key);
        await b.SetAsync(key, "set by B");
        await heard.WaitAsync(s_bound);
        var redisKey = ((RedisCacheTier)((LayeredCacheTier)a.Tier).Shared).KeyOf(key);
        Assert.That(await connection.GetDatabase().KeyDeleteAsync(redisKey), Is.True);
        Assert.That(((LayeredCacheTier)b.Tier).Memory.Get(key), Is.Not.Null, "B's memory holds the key");
    }

    /// <summary>Completes when <paramref name="backplane"/> applied another instance's message about <paramref name="key"/>.</summary>
    private static Task Evicted(RedisCacheBackplane backplane, string key)
    {
        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        backplane.Evicted += k =>
        {
            if (k == key)
            {
                evicted.TrySetResult();
            }
        };
        return evicted.Task;
    }

    /// <summary>Every key <paramref name="backplane"/> evicts from now on, for another instance's message.</summary>
    private static ConcurrentQueue<string?> Heard(RedisCacheBackplane backplane)
    {
        var heard = new ConcurrentQueue<string?>();
        backplane.Evicted += heard.Enqueue;
        return heard;
    }
}
