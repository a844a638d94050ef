using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

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

        if (batch.IsEmpty)
        {
            return default;
        }

        if (context.Database.CurrentTransaction is { } transaction)
        {
            TransactionBuffer.For(transaction.GetDbTransaction()).Add(batch, claimNow: false);
            return default;
        }

        if (System.Transactions.Transaction.Current is { } ambient)
        {
            TransactionBuffer.For(ambient).Add(batch, claimNow: true);
            return default;
        }

        return ApplyAsync(batch);
    }
}
