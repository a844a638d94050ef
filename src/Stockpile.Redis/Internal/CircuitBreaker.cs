namespace Stockpile.Redis.Internal;

/// <summary>
/// Stops calling Redis after <c>failureThreshold</c> consecutive transport failures (lost connections, timeouts), for
/// <c>breakDuration</c>; then lets one call probe, and closes again when that probe succeeds.
/// </summary>
/// <remarks>
/// Only the probe decides the way out of the open state: a call that started before the circuit opened and succeeds
/// late does not close it, and one that fails late does not extend the break. State changes are reported to
/// <c>onStateChanged</c> outside the lock.
/// </remarks>
internal sealed class CircuitBreaker
{
    private readonly int _failureThreshold;
    private readonly TimeSpan _breakDuration;
    private readonly TimeProvider _time;
    private readonly Action<RedisCircuitState, RedisCircuitState, int>? _onStateChanged;
    private readonly Lock _lock = new();
    private RedisCircuitState _state = RedisCircuitState.Closed;
    private int _consecutiveFailures;
    private long _openedAt;
    private bool _probing;
    private bool _breakEnded;

    /// <param name="failureThreshold">Consecutive failures that open the circuit; at least 1.</param>
    /// <param name="breakDuration">How long the circuit stays open before a probe; positive.</param>
    /// <param name="time">The clock.</param>
    /// <param name="onStateChanged">Told (from, to, consecutive failures) after each change.</param>
    public CircuitBreaker(int failureThreshold, TimeSpan breakDuration, TimeProvider time, Action<RedisCircuitState, RedisCircuitState, int>? onStateChanged = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failureThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(breakDuration, TimeSpan.Zero);
        _failureThreshold = failureThreshold;
        _breakDuration = breakDuration;
        _time = time;
        _onStateChanged = onStateChanged;
    }

    /// <summary>Gets the current state.</summary>
    public RedisCircuitState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Gets how long the break has left; zero unless the circuit is open.</summary>
    public TimeSpan RetryAfter
    {
        get
        {
            lock (_lock)
            {
                return _state == RedisCircuitState.Open && !_breakEnded ? Max(TimeSpan.Zero, _breakDuration - _time.GetElapsedTime(_openedAt)) : TimeSpan.Zero;
            }
        }
    }

    /// <summary>Asks to call Redis.</summary>
    /// <param name="isProbe">Set when this call is the probe of a half-open circuit: report its outcome with the same flag.</param>
    /// <returns><see langword="true"/> when the call may go ahead; <see langword="false"/> to fail fast.</returns>
    public bool TryEnter(out bool isProbe)
    {
        isProbe = false;
        RedisCircuitState from;
        lock (_lock)
        {
            switch (_state)
            {
                case RedisCircuitState.Closed:
                    return true;
                case RedisCircuitState.HalfOpen when !_probing:
                    _probing = true;
                    isProbe = true;
                    return true;
                case RedisCircuitState.Open when _breakEnded || _time.GetElapsedTime(_openedAt) >= _breakDuration:
                    from = _state;
                    _state = RedisCircuitState.HalfOpen;
                    _probing = true;
                    isProbe = true;
                    break;
                default:
                    return false;
            }
        }

        _onStateChanged?.Invoke(from, RedisCircuitState.HalfOpen, _failureThreshold);
        return true;
    }

    /// <summary>Reports a call that got an answer from Redis (an error reply counts: the server is there).</summary>
    public void OnSuccess(bool isProbe)
    {
        lock (_lock)
        {
            if (!isProbe || _state != RedisCircuitState.HalfOpen)
            {
                if (_state == RedisCircuitState.Closed)
                {
                    _consecutiveFailures = 0;
                }

                return;
            }

            _state = RedisCircuitState.Closed;
            _probing = false;
            _consecutiveFailures = 0;
        }

        _onStateChanged?.Invoke(RedisCircuitState.HalfOpen, RedisCircuitState.Closed, 0);
    }

    /// <summary>Reports a call that failed for want of Redis: no connection, or no reply in time.</summary>
    public void OnFailure(bool isProbe)
    {
        RedisCircuitState from;
        int failures;
        lock (_lock)
        {
            from = _state;
            if (isProbe && _state == RedisCircuitState.HalfOpen)
            {
                _probing = false;
            }
            else if (_state != RedisCircuitState.Closed || ++_consecutiveFailures < _failureThreshold)
            {
                return;
            }

            failures = _consecutiveFailures;
            _state = RedisCircuitState.Open;
            _openedAt = _time.GetTimestamp();
            _breakEnded = false;
        }

        _onStateChanged?.Invoke(from, RedisCircuitState.Open, failures);
    }

    /// <summary>Ends the break early (the connection is back): the next call probes.</summary>
    public void EndBreak()
    {
        lock (_lock)
        {
            _breakEnded = _state == RedisCircuitState.Open;
        }
    }

    /// <summary>Reports a call that ended without telling anything about Redis (cancelled by its caller).</summary>
    public void OnAbandoned(bool isProbe)
    {
        if (!isProbe)
        {
            return;
        }

        lock (_lock)
        {
            if (_state == RedisCircuitState.HalfOpen)
            {
                _probing = false;
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
