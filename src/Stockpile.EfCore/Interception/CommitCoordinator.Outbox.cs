using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Stockpile.Internal;

/// <summary>
/// The invalidation outbox: when it is on for a context, every commit that changes cached state also writes, in its
/// own transaction, one row saying what to evict. After the commit the batch is applied as always, and the row is
/// deleted once every cache tier took the evictions; a row left behind (the process died, Redis was away) is drained
/// by <see cref="OutboxDrainer{TContext}"/>.
/// </summary>
internal sealed partial class CommitCoordinator
{
    // The contexts whose SaveChanges was made to run in a transaction so its outbox row commits with it; the value is
    // the behavior to restore afterwards.
    private readonly ConditionalWeakTable<DbContext, StrongBox<AutoTransactionBehavior>> _forcedTransactions = new();

    /// <summary>Gets the context types whose commits write outbox rows; <see langword="null"/> when none do.</summary>
    public OutboxRegistry? Outbox { get; init; }

    private bool OutboxOn(DbContext context) => Options.UseOutbox || Outbox?.IsOn(context.GetType()) == true;

    /// <summary>Whether a Stockpile interceptor on <paramref name="context"/>'s options writes outbox rows for its saves.</summary>
    public static bool WritesOutboxRows(DbContext context) =>
        context.GetService<IDbContextOptions>()
            .FindExtension<CoreOptionsExtension>()?.Interceptors?
            .OfType<StockpileSaveChangesInterceptor>().Any(i => i.Coordinator.OutboxOn(context)) == true;

    /// <summary>
    /// Before a save in no transaction: EF Core runs a single statement without one, and the outbox row must commit
    /// with the change, so the save runs in a transaction (unless the app turned automatic transactions off).
    /// </summary>
    private void PrepareOutbox(DbContext context, CommitBatch? batch)
    {
        if (batch is null || !OutboxOn(context))
        {
            return;
        }

        _ = OutboxTable.For(context);
        var database = context.Database;
        if (database.CurrentTransaction is null && database.AutoTransactionBehavior == AutoTransactionBehavior.WhenNeeded)
        {
            _forcedTransactions.AddOrUpdate(context, new StrongBox<AutoTransactionBehavior>(database.AutoTransactionBehavior));
            database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        }
    }

    /// <summary>After a save, whatever its outcome: the context's own transaction setting comes back.</summary>
    private void RestoreTransactions(DbContext context)
    {
        if (_forcedTransactions.TryGetValue(context, out var behavior))
        {
            _forcedTransactions.Remove(context);
            context.Database.AutoTransactionBehavior = behavior.Value;
        }
    }

    /// <summary>A transaction is about to commit: claims its rows, and with the outbox on writes one row per batch inside it.</summary>
    public void OnCommitting(DbTransaction transaction, DbContext? context)
    {
        Committing(transaction);
        var rows = OutboxRows(transaction, context);
        foreach (var (table, batch, id, payload) in rows)
        {
            table.Insert(transaction, id, Now(), payload);
            batch.OutboxRow = new OutboxRow(table, id, transaction.Connection!);
        }

        if (rows.Count > 0)
        {
            rows[0].Table.DeleteDone(transaction.Connection!, transaction);
        }
    }

    /// <inheritdoc cref="OnCommitting"/>
    public async ValueTask OnCommittingAsync(DbTransaction transaction, DbContext? context, CancellationToken cancellationToken)
    {
        Committing(transaction);
        var rows = OutboxRows(transaction, context);
        foreach (var (table, batch, id, payload) in rows)
        {
            await table.InsertAsync(transaction, id, Now(), payload, cancellationToken).ConfigureAwait(false);
            batch.OutboxRow = new OutboxRow(table, id, transaction.Connection!);
        }

        if (rows.Count > 0)
        {
            // The rows earlier commits marked done go in this transaction: no statement of their own.
            await rows[0].Table.DeleteDoneAsync(transaction.Connection!, transaction, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drained from the outbox: evicts what the row names (everything, when it names a type no longer found), and
    /// deletes the row once every tier took it.
    /// </summary>
    public async ValueTask ReplayAsync(CommitBatch batch)
    {
        if (batch.InvalidateAll)
        {
            try
            {
                await Chain.InvalidateAsync((Type?)null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                batch.Faulted = true;
                Failed(ex);
            }
        }

        await ApplyAsync(batch).ConfigureAwait(false);
    }

    private List<(OutboxTable Table, CommitBatch Batch, string Id, string Payload)> OutboxRows(DbTransaction transaction, DbContext? context)
    {
        var rows = new List<(OutboxTable, CommitBatch, string, string)>();
        if (context is null || !OutboxOn(context))
        {
            return rows;
        }

        var batches = TransactionBuffer.Find(transaction)?.Batches().ToList() ?? [];
        if (_contexts.TryGetValue(context, out var state) && state.Pending is { } saving)
        {
            // A commit during SaveChanges is the save's own transaction.
            batches.Add(saving);
        }

        foreach (var batch in batches)
        {
            if (batch.OutboxRow is null && (batch.ChangesTokens || batch.StoreCapture is not null))
            {
                rows.Add((OutboxTable.For(context), batch, Guid.NewGuid().ToString("N"), PayloadOf(batch)));
            }
        }

        return rows;
    }

    /// <summary>Everything the batch evicts; a save's store-generated keys are read now, after its statements ran.</summary>
    private static string PayloadOf(CommitBatch batch)
    {
        var keys = new HashSet<EntityKey>(batch.Keys);
        var types = batch.Types;
        AddKeys(keys, batch.Changes);
        if (batch.StoreCapture is { } store)
        {
            keys.UnionWith(store.Keys);
            AddKeys(keys, store.Changes);
            types = [.. types, .. store.Types];
        }

        return OutboxPayload.Write(keys, types, batch.UntrackedTypes, batch.Tables);
    }

    private static void AddKeys(HashSet<EntityKey> keys, List<CapturedChange> changes)
    {
        foreach (var change in changes)
        {
            keys.UnionWith(change.OldKeys);
            keys.UnionWith(change.NewKeys);
            if (change.State != EntityState.Deleted)
            {
                keys.UnionWith(CurrentKeys(change.EntityType, change.Entry.Entity));
            }
        }
    }

    /// <summary>After the batch was applied: marks its outbox rows done (or deletes them) when nothing failed and every cache tier took the evictions.</summary>
    private async ValueTask CompleteOutboxAsync(CommitBatch batch)
    {
        if (batch.StoreSave is { } save)
        {
            // A chain's write: its row is marked done once the chain wrote every tier (the store asks the chain for
            // that); when this save's own part (its tables' cached queries) failed, it stays for the drain.
            save.OutboxRow = batch.Faulted ? null : batch.OutboxRow;
            return;
        }

        if (batch.OutboxRow is null && batch.SavedOutboxRows is null)
        {
            return;
        }

        var rows = batch.SavedOutboxRows is { } saved ? [.. saved] : new List<OutboxRow>(1);
        if (batch.OutboxRow is { } row)
        {
            rows.Add(row);
        }

        if (batch.Faulted || !await SettledAsync().ConfigureAwait(false))
        {
            Log.OutboxRowKept(_logger);
            foreach (var kept in rows.Where(static r => r.OwnsConnection))
            {
                await kept.Connection.DisposeAsync().ConfigureAwait(false);
            }

            return;
        }

        var done = true;
        foreach (var each in rows)
        {
            if (each.DeleteAtOnce || each.OwnsConnection)
            {
                done &= await DeleteRowAsync(each).ConfigureAwait(false);
            }
            else
            {
                // A commit's row: deleted with the next commit's row, or by the next drain pass (OutboxTable.Done.cs).
                each.Table.MarkDone(each.Connection, each.Id);
            }
        }

        batch.OutboxDone = done;
    }

    private async ValueTask<bool> DeleteRowAsync(OutboxRow row)
    {
        var connection = row.Connection;
        var opened = false;
        try
        {
            if (connection.State != ConnectionState.Open)
            {
                // A connection of the row's own is opened after its ambient transaction ended: it must enlist in none.
                using (new System.Transactions.TransactionScope(System.Transactions.TransactionScopeOption.Suppress, System.Transactions.TransactionScopeAsyncFlowOption.Enabled))
                {
                    await connection.OpenAsync().ConfigureAwait(false);
                }

                opened = true;
            }

            await row.Table.DeleteAsync(connection, row.Id, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            // The row stays and is drained later: one eviction more, never one less.
            Log.OutboxDeleteFailed(_logger, ex);
            return false;
        }
        finally
        {
            if (row.OwnsConnection)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else if (opened)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<bool> SettledAsync()
    {
        try
        {
            foreach (var tier in Chain.Tiers)
            {
                if (!tier.IsSourceOfTruth && !await tier.SettleAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception ex)
        {
            Failed(ex);
            return false;
        }
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// Before an <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> in no transaction, with the outbox on: the statement runs in a
    /// transaction of Stockpile's own, so its outbox row commits with it. Returns that transaction, or <see langword="null"/>.
    /// </summary>
    public async ValueTask<DbTransaction?> OnBulkExecutingAsync(DbContext context, DbCommand command, CancellationToken cancellationToken)
    {
        if (command.Transaction is not null || context.Database.CurrentTransaction is not null || System.Transactions.Transaction.Current is not null || !OutboxOn(context))
        {
            return null;
        }

        _ = OutboxTable.For(context);
        var transaction = await command.Connection!.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        command.Transaction = transaction;
        return transaction;
    }

    /// <summary>
    /// The statement ran in Stockpile's transaction: writes the outbox row, commits, then applies as after any commit.
    /// A failure to write the row or to commit rolls the statement back and reaches the caller: no change without its row.
    /// </summary>
    public async ValueTask OnBulkExecutedInOwnTransactionAsync(DbContext context, DbCommand command, DbTransaction transaction)
    {
        CommitBatch? batch;
        await using (transaction.ConfigureAwait(false))
        {
            try
            {
                batch = BulkBatch(context, command);
                if (batch is not null && batch.ChangesTokens)
                {
                    var table = OutboxTable.For(context);
                    var id = Guid.NewGuid().ToString("N");
                    await table.InsertAsync(transaction, id, Now(), PayloadOf(batch), CancellationToken.None).ConfigureAwait(false);
                    await table.DeleteDoneAsync(command.Connection!, transaction, CancellationToken.None).ConfigureAwait(false);
                    batch.OutboxRow = new OutboxRow(table, id, command.Connection!);
                }

                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                command.Transaction = null;
            }
        }

        if (batch is not null)
        {
            await ApplyAsync(batch).ConfigureAwait(false);
        }
    }
}
