using System.Data.Common;

namespace Stockpile.Internal;

/// <summary>An outbox row written in a commit's transaction: its table, its id and the connection that wrote it.</summary>
/// <param name="Table">The row's table.</param>
/// <param name="Id">The row's id.</param>
/// <param name="Connection">The connection that deletes it.</param>
/// <param name="OwnsConnection">Whether <paramref name="Connection"/> is the row's own (closed, unenlisted), disposed once the row is deleted.</param>
/// <param name="DeleteAtOnce">
/// Whether the row is deleted as soon as its evictions completed (a drained row, an ambient transaction's); otherwise
/// (a commit's) it is only marked done, and deleted with the next commit to its database or by the next drain pass.
/// </param>
internal sealed record OutboxRow(OutboxTable Table, string Id, DbConnection Connection, bool OwnsConnection = false, bool DeleteAtOnce = false);
