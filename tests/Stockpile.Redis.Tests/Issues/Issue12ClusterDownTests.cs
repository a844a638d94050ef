using StackExchange.Redis;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, found by the torture suite (a cluster node killed mid-workload): once the cluster marks a master failed,
/// every node answers <c>CLUSTERDOWN The cluster is down</c>. The store took that reply for an error of the call, not
/// for Redis being unavailable: puts and deletes threw to the caller (a chain put failed though the database had
/// committed it), and the breaker never opened. Here the real cluster is put in that state at once, without waiting
/// for a node timeout: each master gives up one of its slots (<c>CLUSTER DELSLOTS</c>), so that its view of the cluster
/// lacks full coverage, and takes it back afterwards.
/// </summary>
[NonParallelizable]
public sealed class Issue12ClusterDownTests
{
    [Test]
    public async Task WritesWhileTheClusterIsDown_AreSkipped_AndNoOldValueIsServedAfterwards()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var admin = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.CreateOptions(cluster.ConnectionString));
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.FastReconnecting(cluster.ConnectionString));
        using var logs = new CapturingLoggerProvider();
        await using var redis = TestStores.Create(connection, loggerFactory: logs.CreateFactory());
        var source = new FakeDatabase();
        var chain = new ChainedStore([new MemoryStore(), redis, source]);
        var (kept, deleted, changed) = (TestStores.NewProduct("v1"), TestStores.NewProduct("v1"), TestStores.NewProduct("v1"));
        await chain.PutManyAsync([kept, deleted, changed]);

        var slots = await FirstSlotsAsync(admin);
        await SetSlotsAsync(slots, "DELSLOTS", "cluster_state:fail");
        try
        {
            Assert.That(async () => await redis.DeleteAsync(deleted), Throws.Nothing, "a delete Redis cannot take is skipped and recorded");
            changed.Name = "v2";
            Assert.That(async () => await chain.PutAsync(changed), Throws.Nothing, "a chain put the database took does not fail for the cache");
            Assert.That((await chain.GetAsync<Product, int>(kept.Id))?.Name, Is.EqualTo("v1"), "reads go on");
            Assert.That(logs.Entries.Count(e => e.EventId.Name == "WriteSkipped"), Is.GreaterThan(0));
        }
        finally
        {
            await SetSlotsAsync(slots, "ADDSLOTS", "cluster_state:ok");
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await redis.GetAsync<Product, int>(deleted.Id), Is.Null, "the skipped delete was made up for");
            Assert.That((await redis.GetAsync<Product, int>(changed.Id))?.Name, Is.Null.Or.EqualTo("v2"), "Redis never serves the old value");
            Assert.That((await new ChainedStore([new MemoryStore(), redis, source]).GetAsync<Product, int>(changed.Id))?.Name, Is.EqualTo("v2"));
        });
    }

    /// <summary>Gets each master and the first slot it serves.</summary>
    private static async Task<(IServer Server, int Slot)[]> FirstSlotsAsync(ConnectionMultiplexer admin)
    {
        var slots = new List<(IServer, int)>();
        foreach (var server in admin.GetServers())
        {
            var nodes = (string)(await server.ExecuteAsync("CLUSTER", "NODES"))!;
            var myself = nodes.Split('\n').Single(l => l.Contains("myself", StringComparison.Ordinal)).Split(' ');
            slots.Add((server, int.Parse(myself[^1].Split('-')[0], System.Globalization.CultureInfo.InvariantCulture)));
        }

        return [.. slots];
    }

    /// <summary>Gives up (or takes back) each master's slot and waits until every master reports <paramref name="state"/>.</summary>
    private static async Task SetSlotsAsync((IServer Server, int Slot)[] slots, string command, string state)
    {
        foreach (var (server, slot) in slots)
        {
            await server.ExecuteAsync("CLUSTER", command, slot);
        }

        foreach (var (server, _) in slots)
        {
            await Torture.TortureWaits.UntilAsync(async () => ((string)(await server.ExecuteAsync("CLUSTER", "INFO"))!).Contains(state, StringComparison.Ordinal), TimeSpan.FromSeconds(10), state);
        }
    }
}
