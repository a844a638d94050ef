using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Tests.Internal.Resp;

/// <summary>
/// A fake Redis on loopback for what a real one never does: replies in dribbles, garbage, a close mid-reply.
/// It answers PING with +PONG and every other command with the chunks its script returns.
/// </summary>
internal sealed class ScriptedRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, IEnumerable<byte[]>?> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    /// <param name="script">Given a command name, returns the reply chunks (sent 2 ms apart), or null to close the connection.</param>
    public ScriptedRedisServer(Func<string, IEnumerable<byte[]>?> script)
    {
        _script = script;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public RedisConnectionOptions Options => new()
    {
        Host = "127.0.0.1",
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port,
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var clients = new List<Task>();
        try
        {
            while (true)
            {
                clients.Add(ServeAsync(await _listener.AcceptTcpClientAsync(_stop.Token)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            await Task.WhenAll(clients);
        }
    }

    private static List<string> TakeCommandNames(RespParser parser, List<byte> pending)
    {
        var names = new List<string>();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(pending.ToArray()));
        while (parser.TryRead(ref reader, out var request))
        {
            names.Add(request.AsArray()![0].AsString()!);
        }

        pending.RemoveRange(0, (int)reader.Consumed);
        return names;
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var parser = new RespParser();
        var buffer = new byte[4096];
        var pending = new List<byte>();
        try
        {
            while (await stream.ReadAsync(buffer, _stop.Token) is var read and > 0)
            {
                pending.AddRange(buffer.AsSpan(0, read));
                foreach (var name in TakeCommandNames(parser, pending))
                {
                    var chunks = name == "PING" ? ["+PONG\r\n"u8.ToArray()] : _script(name);
                    if (chunks is null)
                    {
                        return;
                    }

                    foreach (var chunk in chunks)
                    {
                        await stream.WriteAsync(chunk, _stop.Token);
                        await Task.Delay(2, _stop.Token);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Stopping, or the client went away.
        }
    }
}
