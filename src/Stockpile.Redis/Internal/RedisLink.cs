using Microsoft.Extensions.Logging;
using System.Runtime.CompilerServices;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>
/// The multiplexer the Redis store and backplane share, behind one circuit breaker. A multiplexer the link creates is
/// connected in the background and never makes start-up fail: until it is up, calls fail fast like any other outage.
/// </summary>
/// <remarks>
/// StackExchange.Redis reconnects, backs off, resubscribes and re-sends scripts by itself; the link only decides when
/// not to call at all (the breaker), and tells the store and backplane when the connection is restored.
/// </remarks>
internal sealed class RedisLink : IAsyncDisposable, IDisposable
{
    private readonly Task<IConnectionMultiplexer> _connecting;
    private readonly bool _ownsMultiplexer;
    private readonly Func<IConnectionMultiplexer, IDatabase> _database;
    private readonly Func<IConnectionMultiplexer, ISubscriber> _subscriber;
    private readonly RedisMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Task _watching;
    private IDatabase? _cachedDatabase;
    private ISubscriber? _cachedSubscriber;
    private int _disposed;

    /// <param name="connecting">The multiplexer, or its connection under way.</param>
    /// <param name="ownsMultiplexer">Whether disposing the link disposes the multiplexer.</param>
    /// <param name="endPoint">The server(s), as <c>host:port</c>, for logs and metrics; never a password.</param>
    /// <param name="options">The breaker's settings.</param>
    /// <param name="time">The breaker's clock.</param>
    /// <param name="logger">Where state changes are logged.</param>
    /// <param name="metrics">Where state changes and refusals are counted.</param>
    /// <param name="database">Gets the database calls use (tests wrap it to inject faults); the multiplexer's default database when <see langword="null"/>.</param>
    /// <param name="subscriber">Gets the subscriber the backplane uses; the multiplexer's when <see langword="null"/>.</param>
    public RedisLink(
        Task<IConnectionMultiplexer> connecting,
        bool ownsMultiplexer,
        string endPoint,
        RedisCircuitBreakerOptions options,
        TimeProvider time,
        ILogger logger,
        RedisMetrics metrics,
        Func<IConnectionMultiplexer, IDatabase>? database = null,
        Func<IConnectionMultiplexer, ISubscriber>? subscriber = null)
    {
        _connecting = connecting;
        _ownsMultiplexer = ownsMultiplexer;
        _database = database ?? (static m => m.GetDatabase());
        _subscriber = subscriber ?? (static m => m.GetSubscriber());
        _metrics = metrics;
        _logger = logger;
        EndPoint = endPoint;
        Breaker = new RedisCircuit(endPoint, options, time, logger, metrics);
        metrics.Track(Breaker);
        _watching = WatchAsync();
    }

    /// <summary>Raised (on Polly's event thread: be quick) when the circuit closes again after a break.</summary>
    public event Action? CircuitClosed
    {
        add => Breaker.Closed += value;
        remove => Breaker.Closed -= value;
    }

    /// <summary>Raised (on the multiplexer's thread: be quick) when the command connection is back after a drop; the break, if any, is over.</summary>
    public event Action? Reconnected;

    /// <summary>
    /// Raised (on the multiplexer's thread: be quick) when a pub/sub connection is back after a drop (the package has
    /// resubscribed), or opens after failed attempts (Redis was away); never for the first socket of a server's pub/sub
    /// connection, through which no message can have been missed.
    /// </summary>
    public event Action? SubscriptionRestored;

    public string EndPoint { get; }

    public RedisCircuit Breaker { get; }

    /// <summary>
    /// Gets or sets what runs before every call, inside the breaker: the store's removal of the keys whose writes Redis
    /// may have missed. It comes before the backplane's publishes too: an instance must not tell the others to re-read
    /// Redis (evicting their process-local tiers) while Redis may still hold what it failed to evict.
    /// </summary>
    public Func<IDatabase, CancellationToken, ValueTask>? BeforeCall { get; set; }

    /// <summary>
    /// Gets or sets whether <see cref="BeforeCall"/> has work to do before the next call (the store's clear fence to
    /// make sure of, missed keys to remove). While it has, <see cref="DirectDatabase"/> is <see langword="null"/>:
    /// a call made outside <see cref="ExecuteAsync"/> would skip that work. <see langword="null"/> with a
    /// <see cref="BeforeCall"/> set means it always has.
    /// </summary>
    public Func<bool>? BeforeCallPending { get; set; }

    /// <summary>Starts connecting in the background, retrying forever (<c>abortConnect=false</c>); the first attempt's failure is only logged.</summary>
    public static RedisLink Connect(RedisConnectionFactory connection, RedisCircuitBreakerOptions breaker, TimeProvider time, ILoggerFactory loggerFactory, RedisMetrics metrics)
    {
        var logger = loggerFactory.CreateLogger<RedisLink>();
        var connecting = Task.Run(async () =>
        {
            try
            {
                return await connection.ConnectAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.ConnectFailed(logger, connection.EndPoint, ex);
                throw;
            }
        });
        return new RedisLink(connecting, connection.OwnsMultiplexer, connection.EndPoint, breaker, time, logger, metrics);
    }

    /// <summary>Returns whether an exception means Redis could not be reached (as opposed to an error it answered).</summary>
    public static bool IsUnavailable(Exception exception) =>
        RedisCircuit.IsTransportFailure(exception) || exception is RedisCircuitOpenException;

    /// <summary>Gets the multiplexer, waiting for its first connect attempt if that is still under way.</summary>
    public Task<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken) =>
        _connecting.IsCompleted ? _connecting : _connecting.WaitAsync(cancellationToken);

    /// <summary>Gets the subscriber the backplane uses, once the link watches the multiplexer's connections (so a subscription made on it is never dropped unseen).</summary>
    public async Task<ISubscriber> GetSubscriberAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
        await _watching.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _cachedSubscriber ??= _subscriber(multiplexer);
    }

    /// <summary>Publishes on a channel through the subscriber (call inside <see cref="ExecuteAsync"/>, for the breaker).</summary>
    public async Task<long> PublishAsync(RedisChannel channel, byte[] message, CancellationToken cancellationToken) =>
        await (await GetSubscriberAsync(cancellationToken).ConfigureAwait(false)).PublishAsync(channel, message).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a call through the circuit breaker, after <see cref="BeforeCall"/>.</summary>
    /// <remarks>
    /// Polly's lowest-level entry (<c>ExecuteOutcomeAsync</c> with a pooled context): no wrapper of Polly's own around
    /// the call and no exception thrown through it; this method and <see cref="CallAsync"/> pool their state machines.
    /// </remarks>
    /// <exception cref="RedisCircuitOpenException">The circuit is open: Redis was not called.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<T> ExecuteAsync<TState, T>(TState state, Func<IDatabase, TState, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await Breaker.Pipeline.ExecuteOutcomeAsync(
                static (context, s) => s.Link.CallAsync(s.State, s.Call, context.CancellationToken),
                context,
                (Link: this, State: state, Call: call)).ConfigureAwait(false);
            if (outcome.Exception is BrokenCircuitException broken)
            {
                _metrics.Rejected(EndPoint);
                throw new RedisCircuitOpenException(EndPoint, broken.RetryAfter ?? Breaker.RetryAfter);
            }

            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The call inside the breaker: the multiplexer (once), <see cref="BeforeCall"/>, then the call; its exception becomes the outcome.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome<T>> CallAsync<TState, T>(TState state, Func<IDatabase, TState, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            var database = _cachedDatabase ??= _database(await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false));
            if (BeforeCall is { } before)
            {
                await before(database, cancellationToken).ConfigureAwait(false);
            }

            return Outcome.FromResult(await call(database, state, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
    }

    /// <summary>
    /// Gets the database once a call through <see cref="ExecuteAsync"/> has connected: a caller that knows
    /// <see cref="BeforeCall"/> has nothing to do may then call it directly while <see cref="RedisCircuit.AllowsDirectCalls"/>,
    /// reporting how the call ended with <see cref="RedisCircuit.ReportDirectAsync"/>, without Polly's or the link's
    /// async methods around the call.
    /// </summary>
    public IDatabase? ConnectedDatabase => _cachedDatabase;

    /// <summary>
    /// Gets the database for a call made outside <see cref="ExecuteAsync"/> by a caller with no work of its own to do
    /// before it: <see langword="null"/> unless a call through <see cref="ExecuteAsync"/> has connected, the circuit is
    /// closed (<see cref="RedisCircuit.AllowsDirectCalls"/>) and <see cref="BeforeCall"/> has nothing to do
    /// (<see cref="BeforeCallPending"/>). Report how the call ended with <see cref="RedisCircuit.ReportDirectAsync"/>.
    /// </summary>
    public IDatabase? DirectDatabase =>
        _cachedDatabase is { } database && Breaker.AllowsDirectCalls && (BeforeCall is null || BeforeCallPending?.Invoke() == false) ? database : null;

    /// <summary>Gets the subscriber once <see cref="GetSubscriberAsync"/> has returned it (the link then watches its connections); <see langword="null"/> before.</summary>
    public ISubscriber? ConnectedSubscriber => _cachedSubscriber;

    /// <summary>Starts closing without waiting (for containers disposed synchronously).</summary>
    public void Dispose() => _ = DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _metrics.Untrack(Breaker);
        await _watching.ConfigureAwait(false);
        if (!_connecting.IsCompletedSuccessfully)
        {
            return;
        }

        var multiplexer = _connecting.Result;
        multiplexer.ConnectionRestored -= OnConnectionRestored;
        if (_ownsMultiplexer)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            (await _connecting.ConfigureAwait(false)).ConnectionRestored += OnConnectionRestored;
        }
        catch (Exception ex) when (ex is ArgumentException or RedisException)
        {
            // Never connected: every call reports it.
        }
    }

    /// <summary>Whether the server's pub/sub connection has used one socket only (when the package cannot tell, no: clearing is the safe side).</summary>
    private static bool IsFirstSocket(IConnectionMultiplexer multiplexer, System.Net.EndPoint endPoint)
    {
        try
        {
            return multiplexer.GetServer(endPoint).GetCounters().Subscription.SocketCount == 1;
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
        {
            // A proxy without the server API, or a server the multiplexer no longer knows.
            return false;
        }
    }

    /// <remarks>
    /// StackExchange.Redis raises <c>ConnectionRestored</c> whenever a connection is established, the first one to a
    /// server included (on a cluster, a node's pub/sub connection may open just after the connect returned, or when a
    /// subscription first goes to a node). A pub/sub connection on its first socket never dropped nor failed to open,
    /// so it missed nothing: it is logged and ignored, or every start of an instance, and every node a cluster gains,
    /// would empty the local tiers of the instances that see it. Any later socket (a reconnect, or a connect after
    /// failed attempts) may have missed messages, whether or not the package reported a drop (a frozen server's
    /// connection can be replaced without one).
    /// </remarks>
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            if (sender is IConnectionMultiplexer multiplexer && e.EndPoint is { } endPoint && IsFirstSocket(multiplexer, endPoint))
            {
                Log.SubscriptionConnected(_logger, endPoint.ToString() ?? string.Empty);
            }
            else
            {
                SubscriptionRestored?.Invoke();
            }

            return;
        }

        Breaker.CloseAfterReconnect();
        Reconnected?.Invoke();
    }

}
