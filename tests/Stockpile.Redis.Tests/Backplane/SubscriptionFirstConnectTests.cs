using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Cluster;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.Backplane;

/// <summary>
/// StackExchange.Redis raises <c>ConnectionRestored</c> whenever a physical connection is established, the first one to
/// a server included. Only a pub/sub connection that dropped can have missed messages: the first connection to a node
/// (here: a node that joined the cluster, when a subscription first goes to it; in CI's flaky
/// <c>PutOnA_EvictsB_AndAIgnoresItsOwnMessage(cluster, …)</c>: a node's pub/sub connection that opened a few
/// milliseconds after the instance's connect returned) must not clear an instance's local tiers.
/// </summary>
public sealed class SubscriptionFirstConnectTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(20);

    [Test]
    public async Task NodeJoinsTheCluster_FirstConnectionToIt_KeepsTheLocalTiers()
    {
        await using var cluster = await GrowingCluster.StartAsync();
        var source = new FakeDatabase();
        await using var b = await AppInstance.StartAsync(cluster.ConnectionString, TestStores.UniquePrefix(), b => b.AddTier(_ => source));
        var product = TestStores.NewProduct();
        await source.PutAsync(product);
        await b.Chain.GetAsync<Product, int>(product.Id);
        Assert.That(b.Memory.Count, Is.EqualTo(1));

        var joined = await cluster.JoinAsync();
        await MeetAsync(await b.Services.GetRequiredService<RedisLink>().GetMultiplexerAsync(default), joined);

        // The link logs the new node's first pub/sub connection; before the fix, that connection cleared the tiers.
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(FirstConnected(b.Logs, joined) || b.Count("BackplaneClearedAfterReconnect") > 0), s_bound);
        Assert.Multiple(() =>
        {
            Assert.That(b.Count("BackplaneClearedAfterReconnect"), Is.Zero, "nothing was missed: no connection dropped");
            Assert.That(b.Memory.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task NodeJoinsTheCluster_FirstConnectionToIt_KeepsTheCacheMemoryLevel()
    {
        await using var cluster = await GrowingCluster.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.CreateOptions(cluster.ConnectionString));
        using var logs = new CapturingLoggerProvider();
        await using var cache = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connection), TestStores.UniquePrefix(), RedisCacheLayout.MemoryThenRedis, out var backplane, logs.CreateLogger("cache"));
        await backplane!.Subscribed.WaitAsync(s_bound);
        var cleared = 0;
        backplane.ClearedAfterReconnect += () => Interlocked.Increment(ref cleared);
        await cache.SetAsync("k", "v");
        var memory = ((LayeredCacheTier)cache.Tier).Memory;
        Assert.That(await memory.GetAsync("k", default), Is.Not.Null);

        var joined = await cluster.JoinAsync();
        await MeetAsync(connection, joined);

        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(FirstConnected(logs, joined) || Volatile.Read(ref cleared) > 0), s_bound);
        Assert.Multiple(async () =>
        {
            Assert.That(Volatile.Read(ref cleared), Is.Zero, "nothing was missed: no connection dropped");
            Assert.That(await memory.GetAsync("k", default), Is.Not.Null);
        });
    }

    /// <summary>
    /// Has the multiplexer read the cluster's nodes again until it routes the joined node's slots there, then subscribes
    /// on it to a channel of those slots (as another component sharing the multiplexer would): its first pub/sub
    /// connection to the node opens.
    /// </summary>
    private static async Task MeetAsync(IConnectionMultiplexer multiplexer, EndPoint joined)
    {
        var channel = Enumerable.Range(0, 1000).Select(i => "first-connect-" + i).First(c => multiplexer.HashSlot(c) >= GrowingCluster.FirstJoinedSlot);
        await RedisBackplaneTests.WaitUntilAsync(async () => await multiplexer.ConfigureAsync() && Equals(((ConnectionMultiplexer)multiplexer).GetServer((RedisKey)channel).EndPoint, joined), s_bound);
        await multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
    }

    private static bool FirstConnected(CapturingLoggerProvider logs, EndPoint node) =>
        logs.Entries.Any(e => e.EventId.Name == "SubscriptionConnected" && e.Message.Contains(node.ToString()!, StringComparison.Ordinal));
}
