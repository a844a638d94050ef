using System.Data.Common;
using System.Transactions;

namespace Stockpile.Internal;

internal sealed partial class CommitCoordinator
{
    /// <summary>A transaction began on this object: changes an earlier one left on it never committed (it was disposed, so rolled back).</summary>
    public static void Started(DbTransaction transaction)
    {
        if (TransactionBuffer.Take(transaction) is { } stale)
        {
            DiscardAll(stale, "its transaction was disposed without a commit");
        }
    }

    /// <summary>The transaction is about to commit: its batches claim their rows, so a concurrent commit of the same rows is noticed.</summary>
    public static void Committing(DbTransaction transaction) => TransactionBuffer.Find(transaction)?.BeginCommit();

    public static async ValueTask CommittedAsync(DbTransaction transaction)
    {
        if (TransactionBuffer.Take(transaction) is { } buffer)
        {
            await ApplyAllAsync(buffer).ConfigureAwait(false);
        }
    }

    public static void RolledBack(DbTransaction transaction)
    {
        if (TransactionBuffer.Take(transaction) is { } buffer)
        {
            DiscardAll(buffer, "the transaction rolled back");
        }
    }

    /// <summary>
    /// A rollback to a savepoint undid some saves, and EF Core does not say which savepoint: nothing saved so far in the
    /// transaction may be written through any more. Evicting it at commit stays safe.
    /// </summary>
    public static void RolledBackToSavepoint(DbTransaction transaction) => TransactionBuffer.Find(transaction)?.Demote();

    /// <summary>A commit that failed may or may not have written: evict everything it touched. Other failures change nothing committed.</summary>
    public static async ValueTask FailedAsync(DbTransaction transaction, string action)
    {
        if (action.Contains("Commit", StringComparison.OrdinalIgnoreCase))
        {
            if (TransactionBuffer.Take(transaction) is { } buffer)
            {
                buffer.Demote();
                Log.CommitOutcomeUnknown(buffer.Batches()[0].Coordinator._logger, buffer.Batches().Sum(static b => b.Changes.Count));
                await ApplyAllAsync(buffer).ConfigureAwait(false);
            }
        }
        else if (action.Contains("Rollback", StringComparison.OrdinalIgnoreCase) && !action.Contains("Savepoint", StringComparison.OrdinalIgnoreCase))
        {
            RolledBack(transaction);
        }
        else
        {
            RolledBackToSavepoint(transaction);
        }
    }

    /// <summary>An ambient transaction (TransactionScope) ended: apply at commit, discard at abort, evict when in doubt.</summary>
    public static void Complete(TransactionBuffer buffer, TransactionStatus status)
    {
        switch (status)
        {
            case TransactionStatus.Committed:
                SyncOverAsync.Wait(ApplyAllAsync(buffer));
                break;
            case TransactionStatus.InDoubt:
                buffer.Demote();
                SyncOverAsync.Wait(ApplyAllAsync(buffer));
                break;
            default:
                DiscardAll(buffer, "the ambient transaction aborted");
                break;
        }
    }

    private static async ValueTask ApplyAllAsync(TransactionBuffer buffer)
    {
        foreach (var batch in buffer.Batches())
        {
            await batch.Coordinator.ApplyAsync(batch).ConfigureAwait(false);
        }
    }

    private static void DiscardAll(TransactionBuffer buffer, string reason)
    {
        foreach (var batch in buffer.Batches())
        {
            batch.Coordinator.Discard(batch, reason);
        }
    }
}
