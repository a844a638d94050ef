using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Caching;

/// <summary>
/// The cache backplane when Redis goes away (issue 10), against private redis-servers stopped, restarted or cut off
/// by a proxy: memory is cleared when the subscription comes back, evictions that could not be published are sent when
/// Redis is back, and a disposed cache drops its subscription.
/// </summary>
[NonParallelizable]
public sealed class RedisCacheBackplaneRecoveryTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(20);

    [Test]
    public async Task SubscriptionRestored_ClearsTheMemoryLevel()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.FastReconnecting(server.ConnectionString));
        var redis = new RedisCacheConnection(RedisCacheLayout.MemoryThenRedis, cluster: false);
        await using var cache = redis.Create(new StockpileCacheOptions(), connection, out var backplane);
        await backplane!.Subscribed.WaitAsync(s_bound);
        var cleared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        backplane.ClearedAfterReconnect += () => cleared.TrySetResult();
        await cache.SetAsync("k", "v");
        Assert.That(await MemoryOf(cache).GetAsync("k", default), Is.Not.Null);

        await server.RestartAsync();
        await cleared.Task.WaitAsync(s_bound);

        Assert.That(await MemoryOf(cache).GetAsync("k", default), Is.Null, "messages may have been missed while the subscription was down");
    }

    [Test]
    public async Task EvictionNotPublishedWhileRedisWasUnreachable_IsPublishedWhenItIsBack()
    {
        await using var server = await RedisServer.StartAsync();
        await using var proxy = new TcpProxy(server.Port);
        await using var cutOff = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.FastReconnecting(RedisServer.Host + ":" + proxy.Port));
        await using var direct = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.FastReconnecting(server.ConnectionString));
        var redis = new RedisCacheConnection(RedisCacheLayout.MemoryThenRedis, cluster: false);
        await using var a = redis.Create(new StockpileCacheOptions(), cutOff, out var aBackplane);
        await using var b = redis.Create(new StockpileCacheOptions(), direct, out var bBackplane);
        await Task.WhenAll(aBackplane!.Subscribed, bBackplane!.Subscribed).WaitAsync(s_bound);
        var announced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bBackplane.Evicted += key => (announced.Task.IsCompleted ? evicted : announced).TrySetResult();
        await a.SetAsync("k", "v1");
        await announced.Task.WaitAsync(s_bound); // A's set is announced too: let it arrive before B fills its memory
        Assert.That(await b.GetAsync<string>("k"), Is.EqualTo("v1"), "now in B's memory");

        proxy.Cut();
        await aBackplane.PublishAsync("k", CancellationToken.None);
        Assert.That(aBackplane.UnsentCount, Is.EqualTo(1), "the eviction is kept, not thrown at the writer");
        Assert.That(await MemoryOf(b).GetAsync("k", default), Is.Not.Null, "nothing reached B");
        proxy.Restore();

        await evicted.Task.WaitAsync(s_bound);
        Assert.That(await MemoryOf(b).GetAsync("k", default), Is.Null);
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(aBackplane.UnsentCount == 0), s_bound);
    }

    [Test]
    public async Task DisposeAsync_DropsTheSubscription()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        await using var observer = await RedisTestEnvironment.ConnectAsync();
        var redis = new RedisCacheConnection(RedisCacheLayout.MemoryThenRedis, cluster: false);
        var cache = redis.Create(new StockpileCacheOptions { KeyPrefix = "disposed" }, connection, out var backplane);
        await backplane!.Subscribed.WaitAsync(s_bound);
        var channel = redis.StorePrefix + "__cache:disposed";
        Assert.That(await SubscribersAsync(observer, channel), Is.EqualTo(1));

        await cache.DisposeAsync();

        Assert.That(await SubscribersAsync(observer, channel), Is.Zero);
    }

    private static MemoryCacheTier MemoryOf(StockpileCache cache) => ((LayeredCacheTier)cache.Tier).Memory;

    private static async Task<long> SubscribersAsync(ConnectionMultiplexer observer, string channel)
    {
        var reply = (RedisResult[])(await observer.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
        return (long)reply[1];
    }
}
