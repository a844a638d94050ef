namespace Stockpile;

/// <content>
/// Missed keys are removed as soon as Redis can be reached, not only before this instance's next call: other
/// instances read the same Redis, and must not find there what this one failed to evict (<see cref="Redis.Internal.RedisCatchUp"/>).
/// </content>
public sealed partial class RedisStore
{
    /// <summary>An empty call: the clean-up runs first, through the breaker like any call.</summary>
    private async ValueTask CatchUpProbeAsync(CancellationToken cancellationToken) =>
        await RunAsync(0, static (_, _, _) => new ValueTask<int>(0), cancellationToken).ConfigureAwait(false);

    private void OnReconnected()
    {
        // The server may have restarted, losing its fences: start the clear fence again before the next call.
        Volatile.Write(ref _clearFenceStarted, 0);
        _catchUp.StartRecovery(TimeSpan.Zero);
    }
}
