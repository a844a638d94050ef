using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// One physical connection, from connect to close: it multiplexes requests in FIFO order and never reopens.
/// When it closes, every pending request fails and <see cref="Closed"/> completes; <see cref="RespChannel"/>
/// then replaces it.
/// </summary>
internal sealed partial class RespSocket : IAsyncDisposable
{
    private static readonly RedisCommand Ping = new("PING");

    private readonly Lock _sync = new();
    private readonly Queue<RespRequest> _pending = new();
    private readonly RespParser _parser = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly string _endPoint;
    private readonly Func<RedisReply, bool>? _pushHandler;
    private Task _readLoop = Task.CompletedTask;
    private Task _heartbeat = Task.CompletedTask;
    private bool _isClosed;

    private RespSocket(Stream stream, string endPoint, Func<RedisReply, bool>? pushHandler)
    {
        _stream = stream;
        _endPoint = endPoint;
        _pushHandler = pushHandler;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        _lastReadTicks = Environment.TickCount64;
    }

    /// <summary>Gets a task that completes, with the reason, when the connection has closed.</summary>
    public Task<Exception> Closed => _closed.Task;

    /// <summary>Gets a value indicating whether the connection has closed.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_sync)
            {
                return _isClosed;
            }
        }
    }

    /// <summary>Opens a connection: TCP, TLS when asked, then AUTH, CLIENT SETNAME, SELECT and a PING in one write.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="pushHandler">Sees each reply first and returns <see langword="true"/> for a pub/sub message it took.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <exception cref="RedisConnectionException">The attempt failed or exceeded the connect timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<RespSocket> ConnectAsync(
        RedisConnectionOptions options, Func<RedisReply, bool>? pushHandler, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(options.ConnectTimeout);
        var endPoint = options.EndPoint;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        RespSocket? connection = null;
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            await socket.ConnectAsync(options.Host, options.Port, attempt.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Ssl)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = options.SslHost ?? options.Host,
                        RemoteCertificateValidationCallback = options.CertificateValidation,
                    },
                    attempt.Token).ConfigureAwait(false);
            }

            connection = new RespSocket(stream, endPoint, pushHandler);
            connection._readLoop = connection.ReadLoopAsync();
            await connection.HandshakeAsync(options, attempt.Token).ConfigureAwait(false);
            if (options.KeepAlive > TimeSpan.Zero)
            {
                connection._heartbeat = connection.HeartbeatAsync(options.KeepAlive, options.SyncTimeout);
            }

            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw ex switch
            {
                // The server rejected AUTH, SELECT, … : its own message says it best.
                RedisConnectionException { InnerException: RedisServerException } => ex,
                OperationCanceledException => new RedisConnectionException(
                    ExceptionMessages.ConnectTimedOut(endPoint, options.ConnectTimeout), endPoint, ex),
                _ => new RedisConnectionException(ExceptionMessages.ConnectFailed(endPoint), endPoint, ex),
            };
        }
    }

    /// <summary>Closes the connection, fails what is pending, and waits for its loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Close(new RedisConnectionException(ExceptionMessages.ConnectionDisposed(_endPoint), _endPoint));
        await _readLoop.ConfigureAwait(false);
        await _heartbeat.ConfigureAwait(false);
        await WhenFlushEndedAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    private static List<(RedisCommand Command, string Step)> CreateHandshake(RedisConnectionOptions options)
    {
        var steps = new List<(RedisCommand, string)>(4);
        if (options.Password is { } password)
        {
            steps.Add((options.User is { } user ? new RedisCommand("AUTH", user, password) : new RedisCommand("AUTH", password), "AUTH"));
        }

        if (options.ClientName is { } name)
        {
            steps.Add((new RedisCommand("CLIENT", "SETNAME", name), "CLIENT SETNAME"));
        }

        if (options.DefaultDatabase != 0)
        {
            steps.Add((new RedisCommand("SELECT", options.DefaultDatabase), "SELECT"));
        }

        // Always last: proves the server speaks RESP to us, and surfaces NOAUTH when a password is missing.
        steps.Add((Ping, "PING"));
        return steps;
    }

    private async Task HandshakeAsync(RedisConnectionOptions options, CancellationToken cancellationToken)
    {
        var steps = CreateHandshake(options);
        var request = new RespBatchRequest(steps.ConvertAll(step => step.Command));
        Send(request);
        var replies = await request.WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < replies.Length; i++)
        {
            if (replies[i].ErrorMessage is { } error)
            {
                throw new RedisConnectionException(
                    ExceptionMessages.HandshakeFailed(_endPoint, steps[i].Step, error),
                    _endPoint,
                    new RedisServerException(steps[i].Step, error));
            }
        }
    }
}
