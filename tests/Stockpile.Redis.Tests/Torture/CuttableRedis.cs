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

    /// <summary>Holds what A sends on its open connections (see <see cref="TcpProxy.Hold"/>).</summary>
    public void Hold()
    {
        _proxy?.Hold();
        _cut?.Hold();
    }

    /// <summary>Sends what A's connections held on to Redis and forwards again (see <see cref="TcpProxy.Resume"/>): A's callers still wait.</summary>
    public void Resume()
    {
        _proxy?.Resume();
        _cut?.Resume();
    }

    /// <summary>Drops A's ends of the held connections, keeping the servers' ends (see <see cref="TcpProxy.Sever"/>): A reconnects.</summary>
    public void Sever()
    {
        _proxy?.Sever();
        _cut?.Sever();
    }

    /// <summary>Gets whether A's held bytes contain <paramref name="bytes"/>.</summary>
    public bool Holds(ReadOnlySpan<byte> bytes) => (_proxy?.Holds(bytes) ?? false) || (_cut?.Holds(bytes) ?? false);

    /// <summary>
    /// Delivers what A's connections held, each followed by a <c>PING</c>, and returns once every server answered it:
    /// the held commands have run (a server runs a connection's commands in order).
    /// </summary>
    public async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var probe = "PING\r\n"u8.ToArray();
        if (_proxy is not null)
        {
            await _proxy.ReleaseAsync(probe, Ponged, timeout.Token);
        }

        if (_cut is not null)
        {
            await _cut.ReleaseAsync(probe, Ponged, timeout.Token);
        }
    }

    // +PONG, or a subscriber connection's ["pong", ""].
    private static bool Ponged(ReadOnlyMemory<byte> answers) =>
        System.Text.Encoding.ASCII.GetString(answers.Span).Contains("pong", StringComparison.OrdinalIgnoreCase);

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
