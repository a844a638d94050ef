using Stockpile.Internal.Caching;

namespace Stockpile.Internal;

/// <summary>
/// One cached query's run on a miss, which concurrent misses of its key join instead of running it again. A caller
/// joins only when the tag versions it read are the ones the run was stamped with: no commit to a table it reads has
/// been applied since the run began, so its result is as fresh as the caller's own would be.
/// </summary>
internal sealed class QueryFlight(TagStamp[] stamps)
{
    private readonly TaskCompletionSource<object?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TagStamp[] Stamps { get; } = stamps;

    /// <summary>Gets the run's result; faulted or cancelled when the run failed (its waiters then run the query themselves).</summary>
    public Task<object?> Result => _result.Task;

    /// <summary>Hands the result to the waiters: an instance nobody changes (the one the cache keeps), each waiter copies it.</summary>
    public void Complete(object? value) => _result.TrySetResult(value);

    public void Fail() => _result.TrySetCanceled();
}
