namespace Stockpile;

/// <summary>Settings of the circuit breaker that stops Stockpile from calling an unreachable or slow Redis.</summary>
public sealed class RedisCircuitBreakerOptions
{
    /// <summary>Gets or sets how many consecutive transport failures (no connection, no reply in time) open the circuit.</summary>
    /// <value>The default value is 5.</value>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>Gets or sets how long an open circuit stops calls to Redis before one call probes it.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
