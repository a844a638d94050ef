using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Internal;

/// <summary>Feeds transaction outcomes to the coordinator: claim (and write the outbox row) at commit start, apply at commit, drop at rollback.</summary>
internal sealed class StockpileTransactionInterceptor(CommitCoordinator coordinator) : DbTransactionInterceptor
{
    // A provider may hand out the same DbTransaction object again (Npgsql does, per pooled connection): what an earlier
    // transaction left behind, when it was disposed without a commit or rollback event, is dropped when the next begins.
    public override DbTransaction TransactionStarted(System.Data.Common.DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        CommitCoordinator.Started(result);
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(System.Data.Common.DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        CommitCoordinator.Started(result);
        return new(result);
    }

    public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        coordinator.OnCommitting(transaction, eventData.Context);
        return result;
    }

    public override async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        // With the outbox on, its row is written in the transaction: a canceled write cancels the commit.
        await coordinator.OnCommittingAsync(transaction, eventData.Context, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        SyncOverAsync.Wait(CommitCoordinator.CommittedAsync(transaction));

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        await CommitCoordinator.CommittedAsync(transaction).ConfigureAwait(false);

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => CommitCoordinator.RolledBack(transaction);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        CommitCoordinator.RolledBack(transaction);
        return Task.CompletedTask;
    }

    public override void RolledBackToSavepoint(DbTransaction transaction, TransactionEventData eventData) => CommitCoordinator.RolledBackToSavepoint(transaction);

    public override Task RolledBackToSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        CommitCoordinator.RolledBackToSavepoint(transaction);
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
        SyncOverAsync.Wait(CommitCoordinator.FailedAsync(transaction, eventData.Action));

    public override async Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) =>
        await CommitCoordinator.FailedAsync(transaction, eventData.Action).ConfigureAwait(false);
}
