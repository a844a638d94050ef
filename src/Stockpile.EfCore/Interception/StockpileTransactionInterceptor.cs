using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Internal;

/// <summary>Feeds transaction outcomes to the coordinator: claim at commit start, apply at commit, drop at rollback.</summary>
internal sealed class StockpileTransactionInterceptor : DbTransactionInterceptor
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
        CommitCoordinator.Committing(transaction);
        return result;
    }

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        CommitCoordinator.Committing(transaction);
        return new(result);
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
