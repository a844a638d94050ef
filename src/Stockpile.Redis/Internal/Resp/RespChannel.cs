using Microsoft.Extensions.Logging;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// A logical connection that outlives its sockets: it sends through the current <see cref="RespSocket"/>, fails fast
/// while there is none, and a supervisor replaces a closed socket with exponential back-off, restores its state
/// (through <c>onConnected</c>), and raises the lost/restored events.
/// </summary>
internal sealed partial class RespChannel : IAsyncDisposable
{
    private readonly RedisConnectionOptions _options;
    private readonly RedisConnectionRole _role;
    private readonly RedisConnectionEvents _events;
    private readonly ILogger _logger;
    private readonly Func<RedisReply, bool>? _pushHandler;
    private readonly Func<CancellationToken, ValueTask>? _onConnected;
    private readonly CancellationTokenSource _disposing = new();
    private volatile RespSocket? _current;
    private Task _supervisor = Task.CompletedTask;
    private int _disposed;

    /// <param name="options">Validated options.</param>
    /// <param name="role">What the channel is for, named in events and logs.</param>
    /// <param name="events">Where to raise lost/restored.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="pushHandler">Takes pub/sub messages out of the reply stream (subscriber only).</param>
    /// <param name="onConnected">Restores state on a new socket before it counts as restored (subscriber only).</param>
    public RespChannel(
        RedisConnectionOptions options,
        RedisConnectionRole role,
        RedisConnectionEvents events,
        ILogger logger,
        Func<RedisReply, bool>? pushHandler = null,
        Func<CancellationToken, ValueTask>? onConnected = null)
    {
        _options = options;
        _role = role;
        _events = events;
        _logger = logger;
        _pushHandler = pushHandler;
        _onConnected = onConnected;
    }

    /// <summary>Gets a value indicating whether a socket is open.</summary>
    public bool IsConnected => _current is { IsClosed: false };

    /// <summary>Connects the first socket, then starts the supervisor.</summary>
    /// <param name="abortOnConnectFail">Whether a failed first attempt throws, or is retried in the background.</param>
    /// <param name="cancellationToken">Cancels the first attempt.</param>
    /// <exception cref="RedisConnectionException">The first attempt failed and <paramref name="abortOnConnectFail"/> is set.</exception>
    public async Task StartAsync(bool abortOnConnectFail, CancellationToken cancellationToken)
    {
        try
        {
            _current = await RespSocket.ConnectAsync(_options, _pushHandler, cancellationToken).ConfigureAwait(false);
            Log.Connected(_logger, _options.EndPoint, _role);
        }
        catch (RedisConnectionException ex) when (!abortOnConnectFail)
        {
            Log.ConnectFailed(_logger, _options.EndPoint, _role, ex);
        }

        _supervisor = SuperviseAsync(_disposing.Token);
    }

    /// <summary>Sends one command through the current socket.</summary>
    public ValueTask<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken = default)
    {
        var request = new RespCommandRequest(command);
        return Send(request, cancellationToken) is { } failure
            ? ValueTask.FromException<RedisReply>(failure)
            : request.WaitAsync(_options.SyncTimeout, cancellationToken);
    }

    /// <summary>Sends commands together, in one write, through the current socket.</summary>
    public ValueTask<RedisReply[]> ExecuteBatchAsync(IReadOnlyList<RedisCommand> commands, CancellationToken cancellationToken = default)
    {
        if (commands.Count == 0)
        {
            return ValueTask.FromResult<RedisReply[]>([]);
        }

        var request = new RespBatchRequest(commands);
        return Send(request, cancellationToken) is { } failure
            ? ValueTask.FromException<RedisReply[]>(failure)
            : request.WaitAsync(_options.SyncTimeout, cancellationToken);
    }

    /// <summary>Stops reconnecting, closes the socket, and waits for every background task to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await _supervisor.ConfigureAwait(false);
        if (_current is { } socket)
        {
            _current = null;
            await socket.DisposeAsync().ConfigureAwait(false);
        }

        _disposing.Dispose();
    }

    private Exception? Send(RespRequest request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException(cancellationToken);
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            return new ObjectDisposedException(nameof(IRedisConnection));
        }

        var socket = _current;
        if (socket is null)
        {
            return new RedisConnectionException(ExceptionMessages.NotConnected(_options.EndPoint, request.Description), _options.EndPoint);
        }

        try
        {
            socket.Send(request);
            return null;
        }
        catch (RedisConnectionException ex)
        {
            return ex;
        }
    }
}
