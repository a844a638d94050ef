namespace Stockpile.Internal;

/// <summary>
/// Counts writes that run after their caller was answered (a chain's Redis back-fill, a cache's shared write of a made
/// value), so that a settle can wait until every one has ended. Each background write catches and logs its own
/// failure: what it holds is never an exception to rethrow.
/// </summary>
internal sealed class PendingWrites
{
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource? _drained;

    /// <summary>Gets how many background writes are under way.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts a background write in; call before it starts.</summary>
    public void Begin()
    {
        lock (_lock)
        {
            _count++;
        }
    }

    /// <summary>Counts a background write out, whether it succeeded or failed.</summary>
    public void End()
    {
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            if (--_count == 0)
            {
                (drained, _drained) = (_drained, null);
            }
        }

        drained?.TrySetResult();
    }

    /// <summary>Completes when no background write is under way (those that began meanwhile included).</summary>
    public Task WhenDrainedAsync()
    {
        lock (_lock)
        {
            return _count == 0 ? Task.CompletedTask : (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }
}
