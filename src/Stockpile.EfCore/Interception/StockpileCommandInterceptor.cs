using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Internal;

/// <summary>Feeds the statements of <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> to the coordinator once they have run; every other command passes untouched.</summary>
internal sealed class StockpileCommandInterceptor(CommitCoordinator coordinator) : DbCommandInterceptor
{
    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        if (IsBulk(eventData))
        {
            SyncOverAsync.Wait(coordinator.OnBulkExecutedAsync(eventData.Context!, command));
        }

        return result;
    }

    public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (IsBulk(eventData))
        {
            // Not canceled: the statement ran, and a cache left with the old rows would serve them.
            await coordinator.OnBulkExecutedAsync(eventData.Context!, command).ConfigureAwait(false);
        }

        return result;
    }

    private static bool IsBulk(CommandEventData eventData) =>
        eventData.CommandSource is CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete && eventData.Context is not null;
}
