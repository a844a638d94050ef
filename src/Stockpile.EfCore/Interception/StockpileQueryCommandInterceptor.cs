using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Internal;

/// <summary>
/// The command side of cached queries: records the tables a cached query's SQL reads while it runs, and hands the
/// tables a write statement names (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>, raw SQL) to the coordinator once it ran.
/// </summary>
internal sealed class StockpileQueryCommandInterceptor(CommitCoordinator coordinator) : DbCommandInterceptor
{
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

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        if (IsWrite(eventData))
        {
            SyncOverAsync.Wait(coordinator.OnStatementExecutedAsync(eventData.Context!, command.CommandText, eventData.CommandSource == CommandSource.ExecuteSqlRaw));
        }

        return result;
    }

    public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (IsWrite(eventData))
        {
            // Not canceled: the statement ran.
            await coordinator.OnStatementExecutedAsync(eventData.Context!, command.CommandText, eventData.CommandSource == CommandSource.ExecuteSqlRaw).ConfigureAwait(false);
        }

        return result;
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
}
