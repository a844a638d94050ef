namespace Stockpile;

/// <summary>The states of the circuit breaker that guards the calls Stockpile makes to Redis.</summary>
public enum RedisCircuitState
{
    /// <summary>Redis is called as usual; consecutive transport failures are counted.</summary>
    Closed,

    /// <summary>Redis is not called: reads are misses and writes are recorded for clean-up, until the break ends.</summary>
    Open,

    /// <summary>The break is over: one call probes Redis while the others still fail fast.</summary>
    HalfOpen,
}
