namespace Stockpile;

/// <summary>Settings of the circuit breaker that stops Stockpile from calling an unreachable or slow Redis.</summary>
/// <remarks>
/// The breaker is Polly's (<c>Polly.Core</c>): the circuit opens when every one of at least
/// <see cref="FailureThreshold"/> calls made within the last <see cref="SamplingDuration"/> failed for want of Redis
/// (no connection, no reply in time); a call Redis answered, even with an error, counts as a success. It stays open
/// for <see cref="BreakDuration"/>, then one call probes Redis; the circuit closes when the probe gets an answer, and
/// at once when StackExchange.Redis reports the connection restored.
/// </remarks>
public sealed class RedisCircuitBreakerOptions
{
    /// <summary>Gets or sets how many calls within <see cref="SamplingDuration"/>, every one of them failed for want of Redis, open the circuit.</summary>
    /// <value>The default value is 5; at least 2 (Polly's minimum throughput).</value>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>Gets or sets the window over which calls are counted: a success within it keeps the circuit closed.</summary>
    /// <value>The default value is 30 seconds (Polly's); at least half a second, at most a day (Polly's limits).</value>
    /// <remarks>
    /// Make it several times <see cref="FailureThreshold"/> times the longest a failing call takes (a timeout): calls
    /// that fail slowly, or one after another, must still fit <see cref="FailureThreshold"/> of them in the window.
    /// </remarks>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long an open circuit stops calls to Redis before one call probes it.</summary>
    /// <value>The default value is 5 seconds; at least half a second, at most a day (Polly's limits).</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
