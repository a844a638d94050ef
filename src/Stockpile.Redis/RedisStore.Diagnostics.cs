namespace Stockpile;

public sealed partial class RedisStore
{
    /// <inheritdoc/>
    internal override string? DbSystem => "redis";

    /// <inheritdoc/>
    /// <remarks>
    /// Unhealthy while the circuit breaker is not closed, or when Redis does not answer a PING sent directly, outside
    /// the breaker (a health probe must neither trip nor close it).
    /// </remarks>
    internal override async ValueTask<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        if (CircuitState != RedisCircuitState.Closed)
        {
            return $"the Redis circuit breaker is {CircuitState}.";
        }

        try
        {
            var multiplexer = await _link.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
            await multiplexer.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The type only: a connection exception's message lists endpoints and settings.
            return $"Redis did not answer a PING ({ex.GetType().Name}).";
        }
    }
}
