using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Stockpile.Testing.Servers;

/// <summary>
/// A loopback TCP forwarder that a test can cut and restore: a network partition between a client and a server that
/// keeps running (and keeps its data), unlike stopping the server.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<Guid, (TcpClient Client, TcpClient Upstream)> _pairs = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    /// <summary>Starts forwarding a free loopback port to <paramref name="targetPort"/>.</summary>
    /// <param name="targetPort">The server's loopback port.</param>
    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stopping.Token);
    }

    /// <summary>Gets the port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Drops every forwarded connection and refuses new ones (they are accepted and closed at once).</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var (id, pair) in _pairs)
        {
            Close(id, pair);
        }
    }

    /// <summary>Forwards new connections again.</summary>
    public void Restore() => _cut = false;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        Cut();
        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            if (_cut)
            {
                client.Dispose();
                continue;
            }

            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            var id = Guid.NewGuid();
            _pairs[id] = (client, upstream);
            _ = PumpAsync(id, client.GetStream(), upstream.GetStream());
            _ = PumpAsync(id, upstream.GetStream(), client.GetStream());
        }
    }

    private async Task PumpAsync(Guid id, NetworkStream from, NetworkStream to)
    {
        try
        {
            await from.CopyToAsync(to).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // The other side or Cut closed it.
        }

        if (_pairs.TryGetValue(id, out var pair))
        {
            Close(id, pair);
        }
    }

    private void Close(Guid id, (TcpClient Client, TcpClient Upstream) pair)
    {
        _pairs.TryRemove(id, out _);
        pair.Client.Dispose();
        pair.Upstream.Dispose();
    }
}
