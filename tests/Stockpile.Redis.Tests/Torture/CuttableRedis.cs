using StackExchange.Redis.Configuration;
using Stockpile.Redis.Tests.Cluster;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Redis that instance A reaches through proxies a test can cut, and instance B directly: a private server behind one
/// <see cref="TcpProxy"/>, or the shared cluster behind a <see cref="ClusterCut"/> (a proxy per node).
/// </summary>
internal sealed class CuttableRedis : IAsyncDisposable
{
    private readonly RedisServer? _server;
    private readonly TcpProxy? _proxy;
    private readonly ClusterCut? _cut;

    private CuttableRedis(string forA, string forB, RedisServer? server, TcpProxy? proxy, ClusterCut? cut)
    {
        (ForA, ForB, _server, _proxy, _cut) = (forA, forB, server, proxy, cut);
    }

    /// <summary>Gets A's configuration (through the proxy, or a node's address that <see cref="Tunnel"/> redirects).</summary>
    public string ForA { get; }

    /// <summary>Gets B's configuration (direct).</summary>
    public string ForB { get; }

    /// <summary>Gets the tunnel to set on A's connection (the cluster), or <see langword="null"/> (the server: the proxy is in A's address).</summary>
    public Tunnel? Tunnel => _cut;

    public static async Task<CuttableRedis> StartAsync(bool cluster)
    {
        if (cluster)
        {
            var (nodes, _) = await RedisClusterEnvironment.GetAsync();
            return new CuttableRedis(nodes.Nodes[0].ConnectionString, nodes.Nodes[1].ConnectionString, null, null, new ClusterCut(nodes));
        }

        var server = await RedisServer.StartAsync();
        var proxy = new TcpProxy(server.Port);
        return new CuttableRedis(RedisServer.Host + ":" + proxy.Port, server.ConnectionString, server, proxy, null);
    }

    public void Cut()
    {
        _proxy?.Cut();
        _cut?.Cut();
    }

    public void Restore()
    {
        _proxy?.Restore();
        _cut?.Restore();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cut is not null)
        {
            await _cut.DisposeAsync();
        }

        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
