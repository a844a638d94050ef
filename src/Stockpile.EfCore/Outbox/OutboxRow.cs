using System.Data.Common;

namespace Stockpile.Internal;

/// <summary>
/// An outbox row written in a commit's transaction: its table, its id and the connection that deletes it; with
/// <paramref name="OwnsConnection"/>, a connection of its own (closed, unenlisted), disposed once the row is deleted.
/// </summary>
internal sealed record OutboxRow(OutboxTable Table, string Id, DbConnection Connection, bool OwnsConnection = false);
