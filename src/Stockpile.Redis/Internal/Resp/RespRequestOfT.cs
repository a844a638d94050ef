namespace Stockpile.Redis.Internal.Resp;

/// <summary>A request whose caller awaits a <typeparamref name="TResult"/>, with the sync timeout and cancellation.</summary>
internal abstract class RespRequest<TResult> : RespRequest
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public sealed override void Fail(Exception exception)
    {
        if (_completion.TrySetException(exception))
        {
            // Nobody may await the task any more (the caller timed out or was cancelled): mark it observed.
            _ = _completion.Task.Exception;
        }
    }

    /// <summary>Waits for the result.</summary>
    /// <remarks>
    /// A timeout or a cancellation completes the request but leaves it in the queue, so that its reply, when it
    /// comes, is matched to it and dropped, and the replies behind it still reach their own callers.
    /// </remarks>
    /// <exception cref="RedisTimeoutException">No reply within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<TResult> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var task = _completion.Task;
        try
        {
            return await task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            var exception = new RedisTimeoutException(Description, timeout);
            Fail(exception);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !task.IsCompleted)
        {
            _completion.TrySetCanceled(cancellationToken);
        }

        // Completed by us above, or by the reply in a race with the timeout: either way the task tells.
        return await task.ConfigureAwait(false);
    }

    protected void Complete(TResult result) => _completion.TrySetResult(result);
}
