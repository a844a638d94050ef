using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Stockpile.Internal;

/// <summary>
/// The outbox table of one model, spoken to in plain ADO.NET commands on the context's own connection: its rows are
/// written inside the commit's transaction, and neither its writes nor its reads go through EF Core's interceptors.
/// Names come from the model (the user's naming conventions apply) and the provider's SQL helper.
/// </summary>
internal sealed partial class OutboxTable
{
    public const string EntityName = "Stockpile.Outbox";
    public const string IdColumn = "Id";
    public const string CreatedAtColumn = "CreatedAt";
    public const string PayloadColumn = "Payload";
    public const string LockedUntilColumn = "LockedUntil";

    private static readonly ConditionalWeakTable<IModel, OutboxTable?> s_tables = new();

    private readonly string _insert;
    private readonly string _delete;
    private readonly string _deleteMany;
    private readonly string _claim;
    private readonly string _release;
    private readonly string _pending;
    private readonly string _stats;
    private readonly ISqlGenerationHelper _sql;

    private OutboxTable(IEntityType entityType, ISqlGenerationHelper sql)
    {
        _sql = sql;
        var table = sql.DelimitIdentifier(entityType.GetTableName()!, entityType.GetSchema());
        string Column(string name) => sql.DelimitIdentifier(entityType.FindProperty(name)!.GetColumnName());
        var (id, created, payload, locked) = (Column(IdColumn), Column(CreatedAtColumn), Column(PayloadColumn), Column(LockedUntilColumn));
        string P(int i) => sql.GenerateParameterNamePlaceholder("p" + i);
        _insert = $"INSERT INTO {table} ({id}, {created}, {payload}, {locked}) VALUES ({P(0)}, {P(1)}, {P(2)}, NULL)";
        _delete = $"DELETE FROM {table} WHERE {id} = {P(0)}";
        _deleteMany = $"DELETE FROM {table} WHERE {id} IN (";
        _claim = $"UPDATE {table} SET {locked} = {P(1)} WHERE {id} = {P(0)} AND ({locked} IS NULL OR {locked} < {P(2)})";
        _release = $"UPDATE {table} SET {locked} = NULL WHERE {id} = {P(0)} AND {locked} = {P(1)}";
        _pending = $"SELECT {id}, {payload} FROM {table} WHERE ({locked} IS NULL OR {locked} < {P(0)}) AND {created} <= {P(1)} ORDER BY {created}";
        _stats = $"SELECT COUNT(*), MIN({created}) FROM {table}";
    }

    /// <summary>Gets the outbox table of a context's model, or <see langword="null"/> when the model has none.</summary>
    public static OutboxTable? Find(DbContext context) =>
        s_tables.GetValue(context.Model, _ => context.Model.FindEntityType(EntityName) is { } entityType
            ? new OutboxTable(entityType, context.GetService<ISqlGenerationHelper>())
            : null);

    /// <summary>Gets the outbox table of a context's model.</summary>
    /// <exception cref="InvalidOperationException">The model has no outbox table.</exception>
    public static OutboxTable For(DbContext context) =>
        Find(context) ?? throw new InvalidOperationException(EfExceptionMessages.OutboxNotInModel(context.GetType()));

    public void Insert(DbTransaction transaction, string id, long createdAt, string payload)
    {
        using var command = Command(transaction.Connection!, transaction, _insert, id, createdAt, payload);
        command.ExecuteNonQuery();
    }

    public async ValueTask InsertAsync(DbTransaction transaction, string id, long createdAt, string payload, CancellationToken cancellationToken)
    {
        var command = Command(transaction.Connection!, transaction, _insert, id, createdAt, payload);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes a row on a connection enlisted in an ambient transaction (<c>TransactionScope</c>): it commits with it.</summary>
    public async ValueTask InsertAsync(DbConnection connection, string id, long createdAt, string payload, CancellationToken cancellationToken)
    {
        var command = Command(connection, null, _insert, id, createdAt, payload);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<int> DeleteAsync(DbConnection connection, string id, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, _delete, cancellationToken, id);

    /// <summary>Claims a row until <paramref name="until"/>, unless another drainer holds it; <see langword="true"/> when claimed.</summary>
    public async ValueTask<bool> ClaimAsync(DbConnection connection, string id, long now, long until, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, _claim, cancellationToken, id, until, now).ConfigureAwait(false) == 1;

    public ValueTask<int> ReleaseAsync(DbConnection connection, string id, long until, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, _release, cancellationToken, id, until);

    /// <summary>Reads up to <paramref name="limit"/> rows no drainer holds, made at or before <paramref name="createdBy"/>, oldest first.</summary>
    public async ValueTask<List<(string Id, string Payload)>> PendingAsync(DbConnection connection, long now, long createdBy, int limit, CancellationToken cancellationToken)
    {
        var rows = new List<(string, string)>();
        var command = Command(connection, null, _pending, now, createdBy);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (rows.Count < limit && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add((reader.GetString(0), reader.GetString(1)));
                }
            }
        }

        return rows;
    }

    /// <summary>Counts the rows and finds the oldest one's creation time (Unix milliseconds; <see langword="null"/> when empty).</summary>
    public async ValueTask<(long Count, long? Oldest)> StatsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var command = Command(connection, null, _stats);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
                    reader.IsDBNull(1) ? null : Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private async ValueTask<int> ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        var command = Command(connection, null, sql, values);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params object[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = _sql.GenerateParameterName("p" + i);
            parameter.Value = values[i];
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
