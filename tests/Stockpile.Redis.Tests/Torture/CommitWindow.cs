using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Sits between a save's statements and its <c>COMMIT</c> (after the Stockpile interceptor's own committing hook):
/// under a workload it yields there, so other workers read while the row is written but not committed; armed with
/// <see cref="HoldNext"/>, it stops the next commit until the test lets it go.
/// </summary>
internal sealed class CommitWindow : DbTransactionInterceptor
{
    private TaskCompletionSource<TaskCompletionSource>? _armed;
    private long _commits;

    /// <summary>Gets how many commits went through the window.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>
    /// Stops the next commit before it is sent. The returned task completes, once a commit is held, with the gate to
    /// complete to let it go.
    /// </summary>
    public Task<TaskCompletionSource> HoldNext()
    {
        var armed = new TaskCompletionSource<TaskCompletionSource>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _armed, armed);
        return armed.Task;
    }

    public override async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _commits);
        if (Interlocked.Exchange(ref _armed, null) is { } armed)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            armed.SetResult(gate);
            await gate.Task;
        }
        else
        {
            await Task.Yield();
        }

        return result;
    }
}
