using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>
/// The circuit breaker in front of Redis: Polly's, opening when every one of at least
/// <see cref="RedisCircuitBreakerOptions.FailureThreshold"/> calls within
/// <see cref="RedisCircuitBreakerOptions.SamplingDuration"/> failed for want of Redis (failure ratio 1). This class
/// only configures it, reports its state changes (logs, metrics, <see cref="Closed"/>) and closes it when the
/// connection comes back.
/// </summary>
/// <remarks>
/// What Polly decides, as documented for its breaker: a call Redis answered (an error reply included) or that its
/// caller cancelled counts as a success; a call that started before the circuit opened and ends while it is open
/// changes nothing; while half-open one call probes and the others fail fast, and whichever call ends first while
/// half-open closes the circuit (success) or opens it again (failure).
/// </remarks>
internal sealed class RedisCircuit
{
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly CircuitBreakerManualControl _control = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisMetrics _metrics;
    private readonly int _failureThreshold;
    private readonly TimeSpan _samplingDuration;
    private RedisCircuitState _reported = RedisCircuitState.Closed;
    private long _breakEndsTicks;

    // 1 when the last outcome Polly judged was a failure (see ReportDirectAsync).
    private int _lastOutcomeFailed;

    public RedisCircuit(string endPoint, RedisCircuitBreakerOptions options, TimeProvider time, ILogger logger, RedisMetrics metrics)
    {
        EndPoint = endPoint;
        _failureThreshold = options.FailureThreshold;
        BreakDuration = options.BreakDuration;
        _samplingDuration = options.SamplingDuration;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        Pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 1.0,
                MinimumThroughput = options.FailureThreshold,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                ShouldHandle = args =>
                {
                    var failed = args.Outcome.Exception is { } exception && IsTransportFailure(exception);
                    Volatile.Write(ref _lastOutcomeFailed, failed ? 1 : 0);
                    return new ValueTask<bool>(failed);
                },
                StateProvider = _state,
                ManualControl = _control,
                OnOpened = args =>
                {
                    Interlocked.Exchange(ref _breakEndsTicks, (_time.GetUtcNow() + args.BreakDuration).UtcTicks);
                    Report(RedisCircuitState.Open, args.BreakDuration);
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    Report(RedisCircuitState.HalfOpen, TimeSpan.Zero);
                    return default;
                },
                OnClosed = _ =>
                {
                    Report(RedisCircuitState.Closed, TimeSpan.Zero);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Raised when the circuit closes again after a break (on Polly's event thread: be quick).</summary>
    public event Action? Closed;

    public string EndPoint { get; }

    /// <summary>Gets how long the circuit stays open before a call probes.</summary>
    public TimeSpan BreakDuration { get; }

    /// <summary>Gets the breaker's clock.</summary>
    public TimeProvider Time => _time;

    /// <summary>Gets the pipeline every call to Redis runs through.</summary>
    public ResiliencePipeline Pipeline { get; }

    /// <summary>Gets the current state (Polly's isolated state, which Stockpile never sets, reads as open).</summary>
    public RedisCircuitState State => _state.CircuitState switch
    {
        CircuitState.Closed => RedisCircuitState.Closed,
        CircuitState.HalfOpen => RedisCircuitState.HalfOpen,
        _ => RedisCircuitState.Open,
    };

    /// <summary>Gets how long the break has left; zero unless the circuit is open.</summary>
    public TimeSpan RetryAfter
    {
        get
        {
            if (State != RedisCircuitState.Open)
            {
                return TimeSpan.Zero;
            }

            var left = new DateTimeOffset(Interlocked.Read(ref _breakEndsTicks), TimeSpan.Zero) - _time.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Returns whether an exception means Redis could not be reached or did not answer in time: what the breaker counts.
    /// StackExchange.Redis fails the commands caught on a connection it tears down (the server went away) with
    /// <see cref="ObjectDisposedException"/>: those count too (the store reports its own disposal before calling). So
    /// do the replies of a server that is up but cannot serve any key (<see cref="IsServerUnavailable"/>).
    /// </summary>
    public static bool IsTransportFailure(Exception exception) =>
        exception is RedisConnectionException or TimeoutException or ObjectDisposedException || IsServerUnavailable(exception);

    /// <summary>
    /// Returns whether Redis answered that it cannot serve the call now, whatever the call: <c>CLUSTERDOWN</c> (a
    /// cluster that lost a master or full slot coverage refuses every key, on every node), <c>LOADING</c> (a restarted
    /// server reading its data back) or <c>MASTERDOWN</c> (a replica cut off from its primary). A write refused so may
    /// be retried later and has to be made up for, exactly as one that never reached the server.
    /// </summary>
    private static bool IsServerUnavailable(Exception exception) =>
        exception is RedisServerException { Message: var message }
        && (message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal) || message.StartsWith("LOADING", StringComparison.Ordinal) || message.StartsWith("MASTERDOWN", StringComparison.Ordinal));

    /// <summary>Gets whether a call may go to Redis without <see cref="Pipeline"/> (the circuit is closed); report its outcome with <see cref="ReportDirectAsync"/>.</summary>
    public bool AllowsDirectCalls => _state.CircuitState == CircuitState.Closed;

    /// <summary>
    /// Reports to Polly how a call made without <see cref="Pipeline"/> ended (see <see cref="AllowsDirectCalls"/>): a
    /// failure always; a success only when the last outcome Polly judged was a failure, so that the hot path pays
    /// nothing while Redis answers. Polly's window then never holds a run of failures a success actually broke, and the
    /// circuit opens as before: when at least the threshold of calls within the window failed with no success since.
    /// A cancelled call reports nothing.
    /// </summary>
    /// <param name="failure">The call's exception; <see langword="null"/> when it succeeded.</param>
    public ValueTask ReportDirectAsync(Exception? failure)
    {
        if (failure is null or RedisServerException)
        {
            return Volatile.Read(ref _lastOutcomeFailed) == 0 ? default : RecordAsync(null);
        }

        return IsTransportFailure(failure) ? RecordAsync(failure) : default;
    }

    private async ValueTask RecordAsync(Exception? failure)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            // The callback hands Polly the outcome the direct call had; an open circuit refuses it, which changes nothing.
            _ = await Pipeline.ExecuteOutcomeAsync(
                static (_, failure) => new ValueTask<Outcome<bool>>(failure is null ? Outcome.FromResult(true) : Outcome.FromException<bool>(failure)),
                context,
                failure).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Closes the circuit if it is not closed: the connection is back, waiting out the break would only delay the clean-up and the recovery.</summary>
    public void CloseAfterReconnect()
    {
        if (State != RedisCircuitState.Closed)
        {
            _ = CloseAsync();
        }

        async Task CloseAsync()
        {
            try
            {
                await _control.CloseAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The link is closing.
            }
        }
    }

    private void Report(RedisCircuitState to, TimeSpan breakDuration)
    {
        // Polly runs these callbacks one at a time, in the order of the changes.
        var from = _reported;
        _reported = to;
        _metrics.StateChanged(EndPoint, to);
        switch (to)
        {
            case RedisCircuitState.Open when from == RedisCircuitState.HalfOpen:
                Log.CircuitReopened(_logger, EndPoint, breakDuration);
                break;
            case RedisCircuitState.Open:
                Log.CircuitOpened(_logger, EndPoint, _failureThreshold, _samplingDuration, breakDuration);
                break;
            case RedisCircuitState.HalfOpen:
                Log.CircuitHalfOpen(_logger, EndPoint);
                break;
            default:
                Log.CircuitClosed(_logger, EndPoint);
                Closed?.Invoke();
                break;
        }
    }
}
