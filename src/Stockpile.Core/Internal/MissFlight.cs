namespace Stockpile.Internal;

/// <summary>
/// One key's read of a chain's lower tiers under way, which concurrent misses of that key join instead of reading
/// again. A caller joins only while no write of the type has begun since the read began (nor was under way then), so
/// no waiter gets a value that a write started before its own call may have superseded.
/// </summary>
internal sealed class MissFlight(FlightGroup group, WriteEpoch epoch)
{
    private readonly TaskCompletionSource<object?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _captured = epoch.Capture();

    public FlightGroup Group { get; } = group;

    /// <summary>Gets the write epoch of the type read (the read's own checks capture it again).</summary>
    public WriteEpoch Epoch => epoch;

    /// <summary>Joins the read as one more waiter, if it is still under way and no write has begun since it began.</summary>
    public bool TryJoin() => !_result.Task.IsCompleted && epoch.Unchanged(_captured) && Group.TryEnter();

    /// <summary>Waits for the read; a cancelled wait does not leave the group (the caller does, once for each group it entered).</summary>
    public Task<object?> WaitAsync(CancellationToken cancellationToken) => _result.Task.WaitAsync(cancellationToken);

    public void Complete(object? value) => _result.TrySetResult(value);

    public void Fail(Exception exception)
    {
        if (exception is OperationCanceledException && Group.Token.IsCancellationRequested)
        {
            // Every waiter has left: nobody observes it.
            _result.TrySetCanceled(Group.Token);
            return;
        }

        _result.TrySetException(exception);
    }
}
