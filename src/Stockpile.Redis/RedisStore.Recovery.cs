namespace Stockpile;

/// <content>
/// Missed keys are removed as soon as Redis can be reached, not only before this instance's next call: other
/// instances read the same Redis, and must not find there what this one failed to evict.
/// </content>
public sealed partial class RedisStore
{
    private static readonly TimeSpan s_minimumRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _disposing = new();
    private int _recovering;

    /// <summary>Starts the background clean-up unless one runs: at once after a reconnect, after the break after a failure.</summary>
    private void StartRecovery(TimeSpan firstDelay)
    {
        if (!_missed.IsPending || _disposing.IsCancellationRequested || Interlocked.CompareExchange(ref _recovering, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(() => RecoverAsync(firstDelay));
    }

    private async Task RecoverAsync(TimeSpan delay)
    {
        try
        {
            while (_missed.IsPending)
            {
                await Task.Delay(delay, TimeProvider, _disposing.Token).ConfigureAwait(false);
                try
                {
                    // An empty call: the clean-up runs first, through the breaker like any call.
                    await RunAsync(0, static (_, _, _) => new ValueTask<int>(0), _disposing.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Logged by the clean-up or the breaker; try again after the break.
                }

                delay = _link.Breaker.RetryAfter > s_minimumRetryDelay ? _link.Breaker.RetryAfter : s_minimumRetryDelay;
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            // Disposed.
        }
        finally
        {
            Volatile.Write(ref _recovering, 0);
        }

        // Keys missed after the last check above would otherwise wait for the next trigger.
        StartRecovery(s_minimumRetryDelay);
    }

    private void OnReconnected()
    {
        // The server may have restarted, losing its fences: start the clear fence again before the next call.
        Volatile.Write(ref _clearFenceStarted, 0);
        StartRecovery(TimeSpan.Zero);
    }
}
