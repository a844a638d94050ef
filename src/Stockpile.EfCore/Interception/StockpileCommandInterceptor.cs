using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Internal;

/// <summary>
/// Stockpile's one command interceptor (EF Core raises every event of every command to each command interceptor, so a
/// save of 100 rows pays per interceptor registered): feeds the statements of <c>ExecuteUpdate</c>/<c>ExecuteDelete</c>
/// to the coordinator once they have run, then the tables a write statement names (those and raw SQL) for cached
/// queries; records the tables a cached query's SQL reads while it runs. Every other command passes untouched. With the
/// outbox on, a bulk statement in no transaction runs in one of Stockpile's own (begun before it, committed with its
/// outbox row after it, rolled back when it fails).
/// </summary>
internal sealed class StockpileCommandInterceptor(CommitCoordinator coordinator) : DbCommandInterceptor
{
    private readonly ConditionalWeakTable<DbCommand, DbTransaction> _own = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Reading(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Reading(command, eventData);
        return new(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Reading(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Reading(command, eventData);
        return new(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (IsBulk(eventData) && SyncOverAsync.Result(coordinator.OnBulkExecutingAsync(eventData.Context!, command, CancellationToken.None)) is { } transaction)
        {
            _own.AddOrUpdate(command, transaction);
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (IsBulk(eventData) && await coordinator.OnBulkExecutingAsync(eventData.Context!, command, cancellationToken).ConfigureAwait(false) is { } transaction)
        {
            _own.AddOrUpdate(command, transaction);
        }

        return result;
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        if (IsBulk(eventData))
        {
            SyncOverAsync.Wait(ExecutedAsync(command, eventData));
        }

        if (IsWrite(eventData))
        {
            SyncOverAsync.Wait(coordinator.OnStatementExecutedAsync(eventData.Context!, command.CommandText, eventData.CommandSource == CommandSource.ExecuteSqlRaw));
        }

        return result;
    }

    public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        // Not canceled: the statement ran, and a cache left with the old rows (or a query of the old state) would serve them.
        if (IsBulk(eventData))
        {
            await ExecutedAsync(command, eventData).ConfigureAwait(false);
        }

        if (IsWrite(eventData))
        {
            await coordinator.OnStatementExecutedAsync(eventData.Context!, command.CommandText, eventData.CommandSource == CommandSource.ExecuteSqlRaw).ConfigureAwait(false);
        }

        return result;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => RollBackOwn(command);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        RollBackOwn(command);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) => RollBackOwn(command);

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        RollBackOwn(command);
        return Task.CompletedTask;
    }

    private ValueTask ExecutedAsync(DbCommand command, CommandExecutedEventData eventData)
    {
        if (_own.TryGetValue(command, out var transaction))
        {
            _own.Remove(command);
            return coordinator.OnBulkExecutedInOwnTransactionAsync(eventData.Context!, command, transaction);
        }

        return coordinator.OnBulkExecutedAsync(eventData.Context!, command);
    }

    /// <summary>A statement that failed in Stockpile's own transaction changed nothing: the transaction is rolled back (by disposing it).</summary>
    private void RollBackOwn(DbCommand command)
    {
        if (_own.TryGetValue(command, out var transaction))
        {
            _own.Remove(command);
            command.Transaction = null;
            transaction.Dispose();
        }
    }

    private static void Reading(DbCommand command, CommandEventData eventData)
    {
        if (TableCapture.Current is { } capture && eventData.CommandSource is CommandSource.LinqQuery or CommandSource.FromSqlQuery)
        {
            capture.Saw(command.CommandText, lenient: eventData.CommandSource == CommandSource.FromSqlQuery);
        }
    }

    private static bool IsWrite(CommandEventData eventData) =>
        eventData.Context is not null && eventData.CommandSource is CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete or CommandSource.ExecuteSqlRaw;

    private static bool IsBulk(CommandEventData eventData) =>
        eventData.CommandSource is CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete && eventData.Context is not null;
}
