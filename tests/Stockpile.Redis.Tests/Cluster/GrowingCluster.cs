using System.Net;
using StackExchange.Redis;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Cluster;

/// <summary>
/// A private Redis Cluster of one master holding the lower half of the slots (the cluster serves what it covers), which
/// a second master joins on demand, taking the upper half: a multiplexer connected before the join learns of that node
/// only when it reads the cluster's nodes again, and opens a connection to it only when a command or subscription
/// goes there.
/// </summary>
internal sealed class GrowingCluster : IAsyncDisposable
{
    private readonly List<RedisServer> _nodes = [];

    private GrowingCluster()
    {
    }

    /// <summary>The first slot of the node that joins.</summary>
    public const int FirstJoinedSlot = 8192;

    /// <summary>Gets the configuration string of the first node (the one clients connect to).</summary>
    public string ConnectionString => _nodes[0].ConnectionString;

    /// <summary>Starts the first node and gives it every slot.</summary>
    public static async Task<GrowingCluster> StartAsync()
    {
        var cluster = new GrowingCluster();
        try
        {
            var first = await cluster.StartNodeAsync();
            await using var admin = await ConnectAdminAsync(first);
            await admin.GetServer(first.ConnectionString).ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", 0, FirstJoinedSlot - 1);
            await RedisCluster.WaitForStateAsync("ok", [first]);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a second master with the upper half of the slots, and has the first node meet it.</summary>
    /// <returns>The new node's end point, as the cluster names it.</returns>
    public async Task<EndPoint> JoinAsync()
    {
        var node = await StartNodeAsync();
        await using var admin = await ConnectAdminAsync(node);
        await admin.GetServer(node.ConnectionString).ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", FirstJoinedSlot, 16383);
        await admin.GetServer(node.ConnectionString).ExecuteAsync("CLUSTER", "MEET", RedisServer.Host, _nodes[0].Port);
        await RedisCluster.WaitForStateAsync("ok", _nodes);
        return new IPEndPoint(IPAddress.Parse(RedisServer.Host), node.Port);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private async Task<RedisServer> StartNodeAsync()
    {
        var node = await RedisServer.StartAsync(new RedisServerOptions
        {
            ExtraArguments = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-require-full-coverage", "no", "--cluster-announce-ip", RedisServer.Host],
        });
        _nodes.Add(node);
        return node;
    }

    private static Task<ConnectionMultiplexer> ConnectAdminAsync(RedisServer node)
    {
        var options = RedisTestEnvironment.CreateOptions(node.ConnectionString);
        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
