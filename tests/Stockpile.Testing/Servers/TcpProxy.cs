using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Stockpile.Testing.Servers;

/// <summary>
/// A loopback TCP forwarder that a test can cut and restore: a network partition between a client and a server that
/// keeps running (and keeps its data), unlike stopping the server. It can also hold what clients send on their
/// connections, drop the clients' ends while keeping the server's (so the client gives up and reconnects), and deliver
/// the held bytes afterwards: a command the client wrote to a socket it then abandoned, landing late.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<Guid, Pair> _pairs = new();
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

    /// <summary>Gets whether the bytes held (see <see cref="Hold"/>) and not yet delivered contain <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The bytes to look for, e.g. a key a command names.</param>
    /// <returns>Whether one connection's held bytes contain them.</returns>
    public bool Holds(ReadOnlySpan<byte> bytes)
    {
        foreach (var pair in _pairs.Values)
        {
            if (pair.Held().AsSpan().IndexOf(bytes) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Drops every forwarded connection and refuses new ones (they are accepted and closed at once). Severed connections
    /// (see <see cref="Sever"/>) keep their server's end, and what they hold, until released or disposed.
    /// </summary>
    public void Cut()
    {
        _cut = true;
        foreach (var (id, pair) in _pairs)
        {
            if (!pair.IsSevered)
            {
                Close(id, pair);
            }
        }
    }

    /// <summary>Forwards new connections again.</summary>
    public void Restore() => _cut = false;

    /// <summary>
    /// From now on, keeps what clients send on the connections open now instead of forwarding it (the server's answers
    /// still flow). Connections made later are forwarded as usual.
    /// </summary>
    public void Hold()
    {
        foreach (var pair in _pairs.Values)
        {
            pair.Hold();
        }
    }

    /// <summary>Sends what the held connections kept to the server, in order, and forwards again: the clients wait longer, and lose nothing.</summary>
    public void Resume()
    {
        foreach (var pair in _pairs.Values.Where(static pair => pair.IsHeld && !pair.IsSevered))
        {
            pair.Resume();
        }
    }

    /// <summary>
    /// Closes the clients' ends of the held connections and keeps the server's ends open with what they held: the
    /// client sees its connection drop and reconnects (through the proxy, forwarded as usual); the server sees nothing.
    /// </summary>
    public void Sever()
    {
        foreach (var pair in _pairs.Values.Where(static pair => pair.IsHeld))
        {
            pair.Sever();
        }
    }

    /// <summary>
    /// Sends each held connection's bytes to the server, followed by <paramref name="probe"/>, waits until the server's
    /// answers on that connection (since the release) satisfy <paramref name="answered"/>, then closes the connection.
    /// A server answers a connection's commands in order, so an answer to the probe means the held commands have run.
    /// </summary>
    /// <param name="probe">Bytes sent after the held ones (a command whose answer shows everything before it ran).</param>
    /// <param name="answered">Whether the server's answers so far include the probe's.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task ReleaseAsync(ReadOnlyMemory<byte> probe, Func<ReadOnlyMemory<byte>, bool> answered, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answered);
        foreach (var (id, pair) in _pairs.Where(static p => p.Value.IsHeld).ToArray())
        {
            await pair.ReleaseAsync(probe, answered, cancellationToken).ConfigureAwait(false);
            Close(id, pair);
        }
    }

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

        foreach (var (id, pair) in _pairs)
        {
            Close(id, pair);
        }

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
            var pair = new Pair(client, upstream);
            _pairs[id] = pair;
            _ = PumpAsync(id, pair, toServer: true);
            _ = PumpAsync(id, pair, toServer: false);
        }
    }

    private async Task PumpAsync(Guid id, Pair pair, bool toServer)
    {
        var buffer = new byte[16 * 1024];
        var from = toServer ? pair.Client.GetStream() : pair.Upstream.GetStream();
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0 || !await pair.ForwardAsync(buffer.AsMemory(0, read), toServer).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // The other side or Cut closed it.
        }

        // A severed connection's client end is gone on purpose: its server end waits for the release.
        if (!pair.IsSevered && _pairs.TryGetValue(id, out var open))
        {
            Close(id, open);
        }
    }

    private void Close(Guid id, Pair pair)
    {
        _pairs.TryRemove(id, out _);
        pair.Dispose();
    }

    /// <summary>One forwarded connection: the client's end, the server's end, and what is held back.</summary>
    private sealed class Pair(TcpClient client, TcpClient upstream) : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly MemoryStream _held = new();
        private readonly MemoryStream _answers = new();
        private volatile bool _holding;
        private volatile bool _severed;
        private volatile bool _releasing;

        public TcpClient Client { get; } = client;

        public TcpClient Upstream { get; } = upstream;

        public bool IsHeld => _holding;

        public bool IsSevered => _severed;

        public byte[] Held()
        {
            lock (_gate)
            {
                return _held.ToArray();
            }
        }

        public void Hold() => _holding = true;

        public void Resume()
        {
            // Under the lock a forward either joined what is held (before) or goes after it (once holding is off).
            lock (_gate)
            {
                Upstream.GetStream().Write(_held.GetBuffer(), 0, (int)_held.Length);
                _held.SetLength(0);
                _holding = false;
            }
        }

        public void Sever()
        {
            _severed = true;
            Client.Dispose();
        }

        /// <summary>Forwards bytes read from one end; <see langword="false"/> when the pump should stop.</summary>
        public async ValueTask<bool> ForwardAsync(ReadOnlyMemory<byte> bytes, bool toServer)
        {
            if (toServer)
            {
                lock (_gate)
                {
                    if (_holding)
                    {
                        _held.Write(bytes.Span);
                        return true;
                    }
                }

                await Upstream.GetStream().WriteAsync(bytes).ConfigureAwait(false);
                return true;
            }

            if (!_severed)
            {
                try
                {
                    await Client.GetStream().WriteAsync(bytes).ConfigureAwait(false);
                    return true;
                }
                catch (Exception ex) when (_severed && ex is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
                {
                    // Severed while writing: the server's end stays open.
                }
            }

            lock (_gate)
            {
                if (_releasing)
                {
                    _answers.Write(bytes.Span);
                }
            }

            return true;
        }

        public async Task ReleaseAsync(ReadOnlyMemory<byte> probe, Func<ReadOnlyMemory<byte>, bool> answered, CancellationToken cancellationToken)
        {
            byte[] held;
            lock (_gate)
            {
                held = _held.ToArray();
                _held.SetLength(0);
                _releasing = true;
            }

            var stream = Upstream.GetStream();
            await stream.WriteAsync(held, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(probe, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                lock (_gate)
                {
                    if (answered(_answers.ToArray()))
                    {
                        return;
                    }
                }

                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }

        public void Dispose()
        {
            Client.Dispose();
            Upstream.Dispose();
        }
    }
}
