using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Cluster;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Backplane;

/// <summary>
/// On a cluster, Redis delivers a <c>PUBLISH</c> to the subscribers of every node, so a multiplexer subscribed on two
/// nodes hears each message twice. StackExchange.Redis subscribes again whenever it finds a subscription not yet
/// confirmed (a second subscriber of the channel, or any node's connection opening: CI's flaky
/// <c>DeleteAndClearOnA_ReachB(cluster, …)</c>, where B cleared twice for A's one clear); a channel it routes freely
/// goes to the next node each time. The nodes here hold their replies for a moment, so the second subscription is
/// made while the first is unconfirmed, every time.
/// </summary>
[NonParallelizable]
public sealed class ClusterSubscriptionTests
{
    private const int PauseMilliseconds = 1000;

    [Test]
    public async Task SubscribingAgainBeforeTheReply_SubscribesOnOneNode_AndEachMessageArrivesOnce()
    {
        var (cluster, admin) = await RedisClusterEnvironment.GetAsync();
        await using var shared = await RedisClusterEnvironment.ConnectAsync();
        var source = new FakeDatabase();
        var prefix = TestStores.UniquePrefix();
        void UseShared(IServiceCollection services) => services.AddSingleton<IConnectionMultiplexer>(shared);
        void NoServer(RedisStoreOptions options) => options.Configuration = null;

        await PauseAsync(cluster, admin);
        var starting = new[] { 0, 1 }.Select(_ => AppInstance.StartAsync(string.Empty, prefix, b => b.AddTier(_ => source), UseShared, NoServer)).ToArray();
        await using var a = await starting[0];
        await using var b = await starting[1];

        Assert.That(await SubscriptionsAsync(cluster, admin, a.Backplane.ChannelName), Is.EqualTo(1), "one multiplexer, one node");
        var product = TestStores.NewProduct();
        await source.PutAsync(product);
        await b.Chain.GetAsync<Product, int>(product.Id);
        await a.Chain.InvalidateAsync(typeof(Product));
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneCleared") > 0));
        Assert.That(b.Count("BackplaneCleared"), Is.EqualTo(1));
    }

    [Test]
    public async Task CacheBackplane_SubscribingAgainBeforeTheReply_SubscribesOnOneNode()
    {
        var (cluster, admin) = await RedisClusterEnvironment.GetAsync();
        await using var shared = await RedisClusterEnvironment.ConnectAsync();
        var prefix = TestStores.UniquePrefix();
        var options = new StockpileCacheOptions();

        await PauseAsync(cluster, admin);
        await using var first = RedisCacheFactory.Create(options, _ => new(shared), prefix, RedisCacheLayout.MemoryThenRedis, out var firstBackplane);
        await using var second = RedisCacheFactory.Create(options, _ => new(shared), prefix, RedisCacheLayout.MemoryThenRedis, out var secondBackplane);
        await Task.WhenAll(firstBackplane!.Subscribed, secondBackplane!.Subscribed);

        Assert.That(await SubscriptionsAsync(cluster, admin, prefix + "__cache:" + options.KeyPrefix), Is.EqualTo(1), "one multiplexer, one node");
    }

    /// <summary>Has every node hold its clients' commands for a moment (the pause's own reply comes first).</summary>
    private static async Task PauseAsync(Testing.Servers.RedisCluster cluster, ConnectionMultiplexer admin)
    {
        foreach (var node in cluster.Nodes)
        {
            await admin.GetServer(node.ConnectionString).ExecuteAsync("CLIENT", "PAUSE", PauseMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "ALL");
        }
    }

    /// <summary>The channel's subscriptions on all nodes (a node counts only the clients subscribed on it).</summary>
    private static async Task<long> SubscriptionsAsync(Testing.Servers.RedisCluster cluster, ConnectionMultiplexer admin, string channel)
    {
        long total = 0;
        foreach (var node in cluster.Nodes)
        {
            var reply = (RedisResult[])(await admin.GetServer(node.ConnectionString).ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
            total += (long)reply[1];
        }

        return total;
    }
}
