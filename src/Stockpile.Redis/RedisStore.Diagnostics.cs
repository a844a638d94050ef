namespace Stockpile;

public sealed partial class RedisStore
{
    /// <inheritdoc/>
    internal override string? DbSystem => "redis";

    /// <summary>
    /// Pings Redis directly, outside the circuit breaker (a health probe must neither trip nor close it), and returns
    /// the round trip; an unreachable server throws.
    /// </summary>
    internal async ValueTask<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await _link.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
        return await multiplexer.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
