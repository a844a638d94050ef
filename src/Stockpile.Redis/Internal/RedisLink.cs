using Microsoft.Extensions.Logging;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Internal;

/// <summary>
/// The connection the Redis store and backplane share, behind one circuit breaker. The connection is opened in the
/// background and never makes start-up fail: until it is up, calls fail fast like any other Redis outage.
/// </summary>
internal sealed class RedisLink : IAsyncDisposable, IDisposable
{
    private readonly Task<IRedisConnection> _connecting;
    private readonly bool _ownsConnection;
    private readonly ILogger _logger;
    private readonly RedisMetrics _metrics;
    private readonly Task _watching;
    private int _disposed;

    /// <param name="connecting">The connection, or its first connect under way.</param>
    /// <param name="ownsConnection">Whether disposing the link disposes the connection.</param>
    /// <param name="endPoint">The server, as <c>host:port</c>, for logs and metrics.</param>
    /// <param name="options">The breaker's settings.</param>
    /// <param name="time">The breaker's clock.</param>
    /// <param name="logger">Where state changes are logged.</param>
    /// <param name="metrics">Where state changes and refusals are counted.</param>
    public RedisLink(Task<IRedisConnection> connecting, bool ownsConnection, string endPoint, RedisCircuitBreakerOptions options, TimeProvider time, ILogger logger, RedisMetrics metrics)
    {
        _connecting = connecting;
        _ownsConnection = ownsConnection;
        _logger = logger;
        _metrics = metrics;
        EndPoint = endPoint;
        Breaker = new CircuitBreaker(options.FailureThreshold, options.BreakDuration, time, OnStateChanged);
        metrics.Track(Breaker, endPoint);
        _watching = WatchAsync();
    }

    /// <summary>Raised (on the thread of the call that closed it) when the circuit closes again after a break.</summary>
    public event Action? CircuitClosed;

    /// <summary>Raised (on the connection's thread: be quick) when the command connection is back after a drop; the break, if any, is over.</summary>
    public event Action? Reconnected;

    public string EndPoint { get; }

    public CircuitBreaker Breaker { get; }

    /// <summary>Starts connecting in the background, retrying forever; the first attempt's failure is only logged.</summary>
    public static RedisLink Connect(RedisConnectionOptions options, RedisCircuitBreakerOptions breaker, TimeProvider time, ILoggerFactory loggerFactory, RedisMetrics metrics)
    {
        var copy = options.Clone();
        copy.AbortOnConnectFail = false;
        var connecting = Task.Run(async () => await RedisConnection.ConnectAsync(copy, loggerFactory).ConfigureAwait(false));
        return new RedisLink(connecting, ownsConnection: true, copy.EndPoint, breaker, time, loggerFactory.CreateLogger<RedisLink>(), metrics);
    }

    /// <summary>Returns whether an exception means Redis could not be reached (as opposed to an error it answered).</summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is RedisConnectionException or TimeoutException or RedisCircuitOpenException or RespProtocolException;

    /// <summary>Gets the connection, waiting for its first connect attempt if that is still under way.</summary>
    public Task<IRedisConnection> GetConnectionAsync(CancellationToken cancellationToken) =>
        _connecting.IsCompleted ? _connecting : _connecting.WaitAsync(cancellationToken);

    /// <summary>Runs a call through the circuit breaker.</summary>
    /// <exception cref="RedisCircuitOpenException">The circuit is open: Redis was not called.</exception>
    public async ValueTask<T> ExecuteAsync<TState, T>(TState state, Func<IRedisConnection, TState, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        if (!Breaker.TryEnter(out var isProbe))
        {
            _metrics.Rejected(EndPoint);
            throw new RedisCircuitOpenException(EndPoint, Breaker.RetryAfter);
        }

        try
        {
            var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            var result = await call(connection, state, cancellationToken).ConfigureAwait(false);
            Breaker.OnSuccess(isProbe);
            return result;
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            Breaker.OnFailure(isProbe);
            throw;
        }
        catch (RedisServerException)
        {
            Breaker.OnSuccess(isProbe);
            throw;
        }
        catch
        {
            Breaker.OnAbandoned(isProbe);
            throw;
        }
    }

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
        if (_connecting.IsCompletedSuccessfully)
        {
            _connecting.Result.ConnectionRestored -= OnConnectionRestored;
        }

        if (!_ownsConnection)
        {
            return;
        }

        try
        {
            await (await _connecting.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or RedisConnectionException)
        {
            // The connection was never made: nothing to close.
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            (await _connecting.ConfigureAwait(false)).ConnectionRestored += OnConnectionRestored;
        }
        catch (Exception ex) when (ex is ArgumentException or RedisConnectionException)
        {
            // Never connected: every call reports it.
        }
    }

    private void OnConnectionRestored(object? sender, RedisConnectionEventArgs e)
    {
        if (e.Role == RedisConnectionRole.Interactive)
        {
            // Redis answers again: waiting out the break would only delay the clean-up and the recovery.
            Breaker.EndBreak();
            Reconnected?.Invoke();
        }
    }

    private void OnStateChanged(RedisCircuitState from, RedisCircuitState to, int failures)
    {
        _metrics.StateChanged(EndPoint, to);
        switch (to)
        {
            case RedisCircuitState.Open when from == RedisCircuitState.HalfOpen:
                Log.CircuitReopened(_logger, EndPoint, Breaker.RetryAfter);
                break;
            case RedisCircuitState.Open:
                Log.CircuitOpened(_logger, EndPoint, failures, Breaker.RetryAfter);
                break;
            case RedisCircuitState.HalfOpen:
                Log.CircuitHalfOpen(_logger, EndPoint);
                break;
            default:
                Log.CircuitClosed(_logger, EndPoint);
                CircuitClosed?.Invoke();
                break;
        }
    }
}
