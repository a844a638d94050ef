using System.Data.Common;
using System.Transactions;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>
/// The outbox inside an ambient transaction (<see cref="TransactionScope"/>): no <c>DbTransaction</c> commit passes
/// through EF Core's interceptors, so each save writes its row at once, on the context's connection enlisted in the
/// scope; it commits or rolls back with the scope's changes, and is deleted once the scope committed and the batch was
/// applied (<see cref="TransactionBuffer"/> subscribes to the transaction's completion).
/// </summary>
internal sealed partial class CommitCoordinator
{
    private async ValueTask HoldForAmbientAsync(DbContext context, CommitBatch batch, Transaction ambient)
    {
        try
        {
            if (OutboxOn(context) && batch.ChangesTokens)
            {
                batch.OutboxRow = await WriteSavedRowAsync(context, batch).ConfigureAwait(false);
            }
        }
        finally
        {
            // Held whatever happened: a row that could not be written fails the save (so the scope should not complete),
            // but if it completes all the same the eviction still runs.
            TransactionBuffer.For(ambient).Add(batch, claimNow: true);
        }
    }

    /// <summary>
    /// Writes the batch's row in the ambient transaction. The connection that deletes it later is a clone (its own
    /// pooled connection, opened outside any transaction): the context's may be disposed or busy by then.
    /// </summary>
    private static async ValueTask<OutboxRow> WriteSavedRowAsync(DbContext context, CommitBatch batch)
    {
        var table = OutboxTable.For(context);
        var id = Guid.NewGuid().ToString("N");
        var database = context.Database;
        await database.OpenConnectionAsync().ConfigureAwait(false);
        try
        {
            var connection = database.GetDbConnection();
            await table.InsertAsync(connection, id, Now(), PayloadOf(batch), CancellationToken.None).ConfigureAwait(false);
            return connection is ICloneable cloneable && cloneable.Clone() is DbConnection own
                ? new OutboxRow(table, id, own, OwnsConnection: true)
                : new OutboxRow(table, id, connection);
        }
        finally
        {
            await database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }
}
