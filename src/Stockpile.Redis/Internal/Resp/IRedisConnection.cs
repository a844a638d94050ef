namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// A connection to one Redis server, as the store and the backplane use it: multiplexed commands and pipelined
/// batches on one socket, and pub/sub on a second, dedicated one. Both reconnect by themselves.
/// </summary>
/// <remarks>
/// Every command fails with <see cref="RedisTimeoutException"/> after the sync timeout, with
/// <see cref="RedisConnectionException"/> at once while the connection is down, and with
/// <see cref="RedisServerException"/> when Redis answers with an error.
/// </remarks>
internal interface IRedisConnection : IAsyncDisposable
{
    /// <summary>Raised when either socket drops. Pending commands have already failed.</summary>
    event EventHandler<RedisConnectionEventArgs>? ConnectionLost;

    /// <summary>
    /// Raised when a socket is back (authenticated, database selected and, for <see cref="RedisConnectionRole.Subscription"/>,
    /// every channel subscribed again). Messages published in between were missed.
    /// </summary>
    event EventHandler<RedisConnectionEventArgs>? ConnectionRestored;

    /// <summary>Gets a value indicating whether the command connection is up.</summary>
    bool IsConnected { get; }

    /// <summary>Sends one command and returns its reply.</summary>
    /// <remarks>
    /// Commands that would change the shared connection's state (<c>MULTI</c>, <c>SELECT</c>, <c>SUBSCRIBE</c>, …) are
    /// refused; send <c>MULTI</c> … <c>EXEC</c> in one <see cref="ExecuteBatchAsync"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The command is refused on a shared connection (thrown before anything is sent).</exception>
    /// <exception cref="RedisServerException">Redis answered with an error.</exception>
    ValueTask<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the commands pipelined, in one write that no other caller's command can interleave, and returns their
    /// replies in order. Error replies are returned, not thrown: reading one throws <see cref="RedisServerException"/>.
    /// </summary>
    /// <remarks>The sync timeout covers the whole batch. A transaction (<c>MULTI</c> … <c>EXEC</c>) must open and close in it.</remarks>
    /// <exception cref="ArgumentException">A command is refused, or a <c>MULTI</c> is not closed within the batch.</exception>
    ValueTask<RedisReply[]> ExecuteBatchAsync(IReadOnlyList<RedisCommand> commands, CancellationToken cancellationToken = default);

    /// <summary>Publishes a message on the command connection.</summary>
    /// <returns>The number of clients that received it.</returns>
    ValueTask<long> PublishAsync(string channel, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="channel"/> on the subscriber connection, which is opened
    /// on first use. Dispose the result to unsubscribe.
    /// </summary>
    /// <remarks>
    /// Handlers run one at a time on the connection's reader, so they must be quick and must not block. If the
    /// subscriber connection is down, the subscription is kept and made when it comes back (then
    /// <see cref="ConnectionRestored"/> is raised); a server error such as <c>NOPERM</c> throws.
    /// The message memory is the handler's to keep.
    /// </remarks>
    ValueTask<IAsyncDisposable> SubscribeAsync(
        string channel, Action<string, ReadOnlyMemory<byte>> handler, CancellationToken cancellationToken = default);
}
