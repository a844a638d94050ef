using System.Data.Common;

namespace Stockpile.Internal;

/// <summary>An outbox row written in a commit's transaction: its table, its id and the connection that wrote it.</summary>
internal sealed record OutboxRow(OutboxTable Table, string Id, DbConnection Connection);
