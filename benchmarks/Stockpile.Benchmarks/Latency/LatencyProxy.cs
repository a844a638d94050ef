using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Stockpile.Benchmarks.Latency;

/// <summary>
/// A loopback TCP forwarder that adds a fixed one-way delay to every chunk it forwards, in both directions: a round trip
/// through it costs twice <see cref="OneWayDelay"/> more than the proxy's own forwarding, which a run measures by sending
/// the same calls through it with no delay. Where the kernel cannot add latency (no <c>tc … netem</c> in a container),
/// this shows what a call costs at a network's round trip. Each chunk read from one end is copied and queued on one
/// <see cref="DelayLine"/> that writes it to the other end when due; each end is read by a thread of its own
/// (blocked in <c>recv</c>, in the real-time class where allowed, see <see cref="PreciseSleep"/>), so a chunk is
/// picked up when it arrives rather than when the thread pool gets to it; both ends have Nagle's algorithm off, as
/// StackExchange.Redis's own socket does, so nothing waits for an acknowledgement.
/// </summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly DelayLine _line = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    /// <summary>Starts forwarding a free loopback port to <paramref name="targetPort"/>, with no delay.</summary>
    public LatencyProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stopping.Token);
    }

    /// <summary>Gets the port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Gets or sets the delay added to each chunk, each way; changed between calls, it applies to the next.</summary>
    public TimeSpan OneWayDelay
    {
        get => _line.Delay;
        set => _line.Delay = value;
    }

    /// <summary>Takes how late the chunks forwarded since the last call were written (µs after their due time), sorted.</summary>
    public List<double> TakeLateness() => _line.TakeLateness();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        foreach (var socket in _sockets.Keys)
        {
            socket.Dispose();
        }

        _line.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(cancellationToken);
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.NoDelay = true;
            upstream.NoDelay = true;
            _sockets[client] = 0;
            _sockets[upstream] = 0;
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, cancellationToken);
            foreach (var (from, to) in (ReadOnlySpan<(Socket, Socket)>)[(client, upstream), (upstream, client)])
            {
                new Thread(() => Pump(from, to)) { IsBackground = true, Name = "latency proxy reader" }.Start();
            }
        }
    }

    private void Pump(Socket from, Socket to)
    {
        PreciseSleep.PrepareThread();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = from.Receive(buffer, SocketFlags.None);
                if (read == 0)
                {
                    break;
                }

                var chunk = ArrayPool<byte>.Shared.Rent(read);
                buffer.AsSpan(0, read).CopyTo(chunk);
                _line.Send(to, chunk, read);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // One end closed, or the proxy stopped.
        }

        // Closing both ends lets the other pump end too; bytes still queued for them are dropped, as a cut link would.
        foreach (var socket in (Socket[])[from, to])
        {
            _sockets.TryRemove(socket, out _);
            socket.Dispose();
        }
    }
}
