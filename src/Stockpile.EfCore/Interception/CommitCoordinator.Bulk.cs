using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

internal sealed partial class CommitCoordinator
{
    /// <summary>
    /// An <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> statement ran: which rows it changed is unknown, so the cached types
    /// of the tables it names are dropped whole once it commits (at once outside a transaction, at commit inside one,
    /// never after a rollback). Never throws: the statement has run.
    /// </summary>
    public ValueTask OnBulkExecutedAsync(DbContext context, string sql)
    {
        var batch = new CommitBatch(this, []);
        try
        {
            foreach (var type in BulkTables.For(context, ModelKeyResolver.For(context, Options.UseModelKeys)).TypesIn(sql))
            {
                batch.InvalidateTypes(type);
            }
        }
        catch (Exception ex)
        {
            Failed(ex);
            return default;
        }

        return batch.IsEmpty ? default : ApplyOrHoldAsync(context, batch);
    }
}
