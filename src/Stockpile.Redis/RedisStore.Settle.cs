namespace Stockpile;

public sealed partial class RedisStore
{
    /// <inheritdoc/>
    /// <remarks>
    /// Settled when no skipped write is remembered. Otherwise one PING goes through the breaker: every call first
    /// removes the keys whose writes Redis missed, so the store is settled once that call succeeds.
    /// </remarks>
    internal override async ValueTask<bool> SettleAsync(CancellationToken cancellationToken)
    {
        if (!_catchUp.IsPending)
        {
            return true;
        }

        try
        {
            await RunAsync(0, static async (database, _, _) =>
            {
                await database.PingAsync().ConfigureAwait(false);
                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return !_catchUp.IsPending;
    }
}
