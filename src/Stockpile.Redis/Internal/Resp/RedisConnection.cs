using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// The <see cref="IRedisConnection"/>: a multiplexed command channel, and a subscriber channel opened on the first
/// subscription.
/// </summary>
internal sealed class RedisConnection : IRedisConnection
{
    private readonly RedisConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly RedisConnectionEvents _events;
    private readonly RespChannel _commands;
    private readonly Lock _sync = new();
    private readonly CancellationTokenSource _lifetime = new();
    private Task<RedisSubscriber>? _subscriber;
    private bool _disposed;

    private RedisConnection(RedisConnectionOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _events = new RedisConnectionEvents(this, logger);
        _commands = new RespChannel(options, RedisConnectionRole.Interactive, _events, logger);
    }

    /// <inheritdoc/>
    public event EventHandler<RedisConnectionEventArgs>? ConnectionLost
    {
        add => _events.Lost += value;
        remove => _events.Lost -= value;
    }

    /// <inheritdoc/>
    public event EventHandler<RedisConnectionEventArgs>? ConnectionRestored
    {
        add => _events.Restored += value;
        remove => _events.Restored -= value;
    }

    /// <inheritdoc/>
    public bool IsConnected => _commands.IsConnected;

    /// <summary>Connects to Redis as <paramref name="options"/> say.</summary>
    /// <param name="options">The options; a copy is taken, so later changes have no effect.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> for nowhere.</param>
    /// <param name="cancellationToken">Cancels the first connection attempt.</param>
    /// <returns>The connection, connected unless <see cref="RedisConnectionOptions.AbortOnConnectFail"/> is off.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="RedisConnectionException">The first attempt failed and <see cref="RedisConnectionOptions.AbortOnConnectFail"/> is on.</exception>
    public static async ValueTask<IRedisConnection> ConnectAsync(
        RedisConnectionOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        copy.Validate();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RedisConnection>();
        var connection = new RedisConnection(copy, logger);
        try
        {
            await connection._commands.StartAsync(copy.AbortOnConnectFail, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    /// <inheritdoc/>
    public ValueTask<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken = default)
    {
        RedisCommandRules.EnsureAllowed(command);
        return _commands.ExecuteAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<RedisReply[]> ExecuteBatchAsync(IReadOnlyList<RedisCommand> commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        RedisCommandRules.EnsureAllowed(commands);
        return _commands.ExecuteBatchAsync(commands, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<long> PublishAsync(string channel, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var reply = await _commands.ExecuteAsync(new RedisCommand("PUBLISH", channel, message), cancellationToken).ConfigureAwait(false);
        return reply.AsInt64();
    }

    /// <inheritdoc/>
    public async ValueTask<IAsyncDisposable> SubscribeAsync(
        string channel, Action<string, ReadOnlyMemory<byte>> handler, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(handler);
        var subscriber = await GetSubscriber().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await subscriber.SubscribeAsync(channel, handler, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Task<RedisSubscriber>? subscriber;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            subscriber = _subscriber;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (subscriber is not null)
        {
            try
            {
                await (await subscriber.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Its first connect was cancelled above: nothing was left running.
            }
        }

        await _commands.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
        Log.Disposed(_logger, _options.EndPoint);
    }

    private Task<RedisSubscriber> GetSubscriber()
    {
        lock (_sync)
        {
            // Checked under the lock that DisposeAsync takes, so no subscriber is created after it looked.
            ObjectDisposedException.ThrowIf(_disposed, this);

            // Shared by concurrent first subscribers, so no caller's token may cancel it; disposal does.
            return _subscriber ??= Task.Run(async () =>
            {
                var subscriber = new RedisSubscriber(_options, _events, _logger);
                await subscriber.StartAsync(_lifetime.Token).ConfigureAwait(false);
                return subscriber;
            });
        }
    }
}
