using System.Transactions;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Redis.Tests.Torture;

/// <content>Writes, each under its rows' locks; a write's version counts once it has returned.</content>
internal sealed partial class TortureWorkload
{
    private const string Savepoint = "before_change";

    /// <summary>
    /// Renames a row with <c>SaveChanges</c>: one statement in autocommit, or with <paramref name="ownTransaction"/> in
    /// EF Core's own transaction (<see cref="CommitWindow"/> yields between the <c>UPDATE</c> and the <c>COMMIT</c>).
    /// </summary>
    private async Task<string> CommitAsync(int instance, int id, bool ownTransaction)
    {
        using var locked = await _ledger.LockAsync(id);
        using var writing = await _database.EnterWriteAsync();
        var version = _ledger.NextVersion(id);
        await using (var context = await Factory(instance).CreateDbContextAsync())
        {
            context.Database.AutoTransactionBehavior = ownTransaction ? AutoTransactionBehavior.Always : AutoTransactionBehavior.WhenNeeded;
            (await context.Rows.SingleAsync(r => r.Id == id)).Name = TortureNames.Committed(version);
            await context.SaveChangesAsync();
        }

        Returned(id, version, instance);
        return ownTransaction ? "SaveChanges (own transaction)" : "SaveChanges";
    }

    /// <summary>Writes a row through the chain (the EF Core tier saves it, the caches above take it).</summary>
    private async Task<string> PutAsync(int instance, int id)
    {
        using var locked = await _ledger.LockAsync(id);
        using var writing = await _database.EnterWriteAsync();
        var version = _ledger.NextVersion(id);
        await _instances[instance].Chain.PutAsync(new Row { Id = id, Code = $"R{id}", Name = TortureNames.Committed(version) });
        Returned(id, version, instance);
        return "chain put";
    }

    private async Task<string> BulkUpdateAsync(int instance, int id)
    {
        using var locked = await _ledger.LockAsync(id);
        using var writing = await _database.EnterWriteAsync();
        var version = _ledger.NextVersion(id);
        var name = TortureNames.Committed(version);
        await using (var context = await Factory(instance).CreateDbContextAsync())
        {
            await context.Rows.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Name, name));
        }

        Returned(id, version, instance);
        return "ExecuteUpdate";
    }

    /// <summary>Two rows in one explicit transaction; both instances read them between the save and the commit.</summary>
    private async Task<string> TwoRowsAsync(int instance, int first, int second)
    {
        int[] ids = [.. new[] { first, second }.Distinct()];
        using var locked = await _ledger.LockAsync(ids);
        using var writing = await _database.EnterWriteAsync();
        var versions = ids.Select(_ledger.NextVersion).ToArray();
        await using (var context = await Factory(instance).CreateDbContextAsync())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            for (var i = 0; i < ids.Length; i++)
            {
                var id = ids[i];
                (await context.Rows.SingleAsync(r => r.Id == id)).Name = TortureNames.Committed(versions[i]);
            }

            await context.SaveChangesAsync();
            await PeekAsync(ids);
            await transaction.CommitAsync();
        }

        for (var i = 0; i < ids.Length; i++)
        {
            Returned(ids[i], versions[i], instance);
        }

        return "transaction committed";
    }

    /// <summary>Saves a rolled-back marker in an explicit transaction, lets both instances read, rolls back.</summary>
    private async Task<string> RollbackAsync(int instance, int id)
    {
        using var locked = await _ledger.LockAsync(id);
        using var writing = await _database.EnterWriteAsync();
        await using var context = await Factory(instance).CreateDbContextAsync();
        await using var transaction = await context.Database.BeginTransactionAsync();
        (await context.Rows.SingleAsync(r => r.Id == id)).Name = TortureNames.RolledBack();
        await context.SaveChangesAsync();
        await PeekAsync(id);
        await transaction.RollbackAsync();
        return "transaction rolled back";
    }

    /// <summary>Saves a marker after a savepoint, rolls back to it, then saves and commits the next version.</summary>
    private async Task<string> SavepointAsync(int instance, int id)
    {
        using var locked = await _ledger.LockAsync(id);
        using var writing = await _database.EnterWriteAsync();
        var version = _ledger.NextVersion(id);
        await using (var context = await Factory(instance).CreateDbContextAsync())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            var row = await context.Rows.SingleAsync(r => r.Id == id);
            await transaction.CreateSavepointAsync(Savepoint);
            row.Name = TortureNames.RolledBack();
            await context.SaveChangesAsync();
            await PeekAsync(id);
            await transaction.RollbackToSavepointAsync(Savepoint);
            row.Name = TortureNames.Committed(version);
            await context.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        Returned(id, version, instance);
        return "savepoint rolled back, then committed";
    }

    /// <summary>
    /// A <see cref="TransactionScope"/> (PostgreSQL): completed with the next version, or left with a marker to abort.
    /// Its default isolation is serializable, so PostgreSQL may refuse the save or the commit (<c>40001</c>) when
    /// other transactions touched the table: that is a rollback too, and its version must never be served.
    /// </summary>
    private async Task<string> ScopeAsync(int instance, int id, bool complete)
    {
        using var locked = await _ledger.LockAsync(id);
        using var writing = await _database.EnterWriteAsync();
        var version = _ledger.NextVersion(id);
        try
        {
            return await ScopeAsync(instance, id, complete, version);
        }
        catch (Exception ex) when (IsSerializationFailure(ex))
        {
            _ledger.RolledBack(id, version);
            return "TransactionScope refused by PostgreSQL (40001)";
        }
    }

    private async Task<string> ScopeAsync(int instance, int id, bool complete, long version)
    {
        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await using (var context = await Factory(instance).CreateDbContextAsync())
            {
                (await context.Rows.SingleAsync(r => r.Id == id)).Name = complete ? TortureNames.Committed(version) : TortureNames.RolledBack();
                await context.SaveChangesAsync();
            }

            // The readers stay out of the ambient transaction: they must see what is committed, as other requests do.
            using (new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled))
            {
                await PeekAsync(id);
            }

            if (complete)
            {
                scope.Complete();
            }
        }

        if (!complete)
        {
            return "TransactionScope aborted";
        }

        Returned(id, version, instance);
        return "TransactionScope completed";
    }

    private static bool IsSerializationFailure(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.SerializationFailure })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A write of a row returned: its version binds every read that begins from now on.</summary>
    private void Returned(int id, long version, int instance, [System.Runtime.CompilerServices.CallerMemberName] string write = "")
    {
        _ledger.Committed(id, version, instance, write);
        Interlocked.Increment(ref _writesBy[instance]);
    }
}
