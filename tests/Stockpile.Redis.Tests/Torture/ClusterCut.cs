using System.Net;
using StackExchange.Redis.Configuration;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Cuts one client's connections to every node of a cluster, as <see cref="TcpProxy"/> does for one server: a tunnel
/// (set on that client's <see cref="StackExchange.Redis.ConfigurationOptions.Tunnel"/>) sends each connection to a
/// node, whichever address the cluster named it by, through that node's proxy. Other clients reach the nodes directly.
/// </summary>
internal sealed class ClusterCut : Tunnel, IAsyncDisposable
{
    private readonly Dictionary<int, TcpProxy> _proxies;

    public ClusterCut(RedisCluster cluster) =>
        _proxies = cluster.Nodes.ToDictionary(static node => node.Port, static node => new TcpProxy(node.Port));

    /// <summary>Drops the client's connections to every node and refuses new ones.</summary>
    public void Cut()
    {
        foreach (var proxy in _proxies.Values)
        {
            proxy.Cut();
        }
    }

    /// <summary>Lets the client connect again.</summary>
    public void Restore()
    {
        foreach (var proxy in _proxies.Values)
        {
            proxy.Restore();
        }
    }

    /// <summary>Holds what the client sends on its open connections to every node (see <see cref="TcpProxy.Hold"/>).</summary>
    public void Hold()
    {
        foreach (var proxy in _proxies.Values)
        {
            proxy.Hold();
        }
    }

    /// <summary>Drops the client's ends of the held connections, keeping the nodes' ends (see <see cref="TcpProxy.Sever"/>).</summary>
    public void Resume()
    {
        foreach (var proxy in _proxies.Values)
        {
            proxy.Resume();
        }
    }

        public void Sever()
    {
        foreach (var proxy in _proxies.Values)
        {
            proxy.Sever();
        }
    }

    /// <summary>Gets whether any node's proxy holds these bytes.</summary>
    public bool Holds(ReadOnlySpan<byte> bytes)
    {
        foreach (var proxy in _proxies.Values)
        {
            if (proxy.Holds(bytes))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Delivers what every node's proxy held (see <see cref="TcpProxy.ReleaseAsync"/>).</summary>
    public async Task ReleaseAsync(ReadOnlyMemory<byte> probe, Func<ReadOnlyMemory<byte>, bool> answered, CancellationToken cancellationToken)
    {
        foreach (var proxy in _proxies.Values)
        {
            await proxy.ReleaseAsync(probe, answered, cancellationToken);
        }
    }

    public override ValueTask<EndPoint?> GetSocketConnectEndpointAsync(EndPoint endpoint, CancellationToken cancellationToken)
    {
        var port = endpoint switch
        {
            IPEndPoint ip => ip.Port,
            DnsEndPoint dns => dns.Port,
            _ => -1,
        };
        return _proxies.TryGetValue(port, out var proxy)
            ? new ValueTask<EndPoint?>(new IPEndPoint(IPAddress.Loopback, proxy.Port))
            : throw new InvalidOperationException($"The client asked for {endpoint}, which is no node of the cut cluster.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in _proxies.Values)
        {
            await proxy.DisposeAsync();
        }
    }
}
