using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;

namespace Stockpile.Internal;

/// <summary>
/// Rows whose evictions completed, waiting to be deleted: a commit does not pay a statement (and, outside a transaction
/// of its own, a second commit) to delete its row. The next commit to the same database that writes a row deletes them
/// in its transaction, in one statement; the next drain pass deletes what is left. Until then they are rows like any
/// other: a drain that meets one first only evicts once more.
/// </summary>
internal sealed partial class OutboxTable
{
    private const int MaxDonePerStatement = 500;

    // Per database (the connection string, as an opened connection reports it): a model may serve several.
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _done = new(StringComparer.Ordinal);

    /// <summary>Marks a row of the connection's database as done: deleted later, with other rows.</summary>
    public void MarkDone(DbConnection connection, string id) =>
        _done.GetOrAdd(connection.ConnectionString, static _ => new ConcurrentQueue<string>()).Enqueue(id);

    /// <summary>Deletes, in <paramref name="transaction"/> (or on its own), the rows of the connection's database marked done.</summary>
    /// <remarks>Rows taken by a transaction that then rolls back stay in the table, and the drain deletes them.</remarks>
    public async ValueTask DeleteDoneAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        while (TakeDone(connection) is { } ids)
        {
            var command = Command(connection, transaction, DeleteManySql(ids.Count), [.. ids]);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc cref="DeleteDoneAsync"/>
    public void DeleteDone(DbConnection connection, DbTransaction transaction)
    {
        while (TakeDone(connection) is { } ids)
        {
            using var command = Command(connection, transaction, DeleteManySql(ids.Count), [.. ids]);
            command.ExecuteNonQuery();
        }
    }

    private List<string>? TakeDone(DbConnection connection)
    {
        if (!_done.TryGetValue(connection.ConnectionString, out var queue) || queue.IsEmpty)
        {
            return null;
        }

        var ids = new List<string>();
        while (ids.Count < MaxDonePerStatement && queue.TryDequeue(out var id))
        {
            ids.Add(id);
        }

        return ids.Count == 0 ? null : ids;
    }

    private string DeleteManySql(int count)
    {
        var sql = new StringBuilder(_deleteMany);
        for (var i = 0; i < count; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(_sql.GenerateParameterNamePlaceholder("p" + i));
        }

        return sql.Append(')').ToString();
    }
}
