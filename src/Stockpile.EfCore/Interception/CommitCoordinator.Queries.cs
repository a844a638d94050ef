using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

internal sealed partial class CommitCoordinator
{
    private QueryCaching? _queries;

    /// <summary>Gets or sets the caches of cached queries; by default the one of <see cref="StockpileInterceptorOptions.QueryCache"/>.</summary>
    public QueryCaching Queries
    {
        get => _queries ??= new QueryCaching(name => name is null ? Options.QueryCache : null, static () => []) { Logger = _logger };
        set
        {
            value.Logger = _logger;
            _queries = value;
        }
    }

    /// <summary>Adds to the save's batch the tables it writes (making a batch when it changes no cached entity).</summary>
    private CommitBatch? WithTables(DbContext context, CommitBatch? batch)
    {
        if (!Queries.IsOn)
        {
            return batch;
        }

        var tables = QueryTables.For(context);
        var tracker = context.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;

        // SaveChanges has just detected the changes: enumerating the entries must not do it again.
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in tracker.Entries())
            {
                if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                {
                    batch ??= new CommitBatch(this, []);
                    batch.Tables.UnionWith(tables.TagsWritten(entry.Metadata, entry.State == EntityState.Deleted));
                }
            }
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }

        return batch;
    }

    /// <summary>A store's own save: only the tables it writes and the tokens of its rows, applied after it (or held for its transaction).</summary>
    private void HoldTablesOfStoreSave(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var batch = new CommitBatch(this, []);
        NoteStoreSaveTokens(context, batch);
        if (WithTables(context, batch) is { ChangesTokens: true } held)
        {
            _contexts.GetValue(context, static _ => new ContextState()).Pending = held;
        }
    }

    /// <summary>
    /// An <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> or raw SQL statement ran: the tables it names (every table, when it
    /// names none the model knows) drop their cached queries once it commits. Never throws: the statement has run.
    /// </summary>
    public ValueTask OnStatementExecutedAsync(DbContext context, string sql, bool raw)
    {
        try
        {
            if (!Queries.IsOn)
            {
                return default;
            }

            var batch = new CommitBatch(this, []);
            batch.Tables.UnionWith(QueryTables.For(context).TagsIn(sql, lenient: raw));
            return batch.IsEmpty ? default : ApplyOrHoldAsync(context, batch);
        }
        catch (Exception ex)
        {
            Failed(ex);
            return default;
        }
    }

    /// <summary>
    /// Removes the tags of the tables a commit wrote from every query cache: one write per table and cache. Never throws:
    /// a failed removal is kept and retried (<see cref="QueryCaching.InvalidateAsync"/>).
    /// </summary>
    private async ValueTask InvalidateTablesAsync(CommitBatch batch)
    {
        if (batch.Tables.Count == 0)
        {
            return;
        }

        try
        {
            await Queries.InvalidateAsync(batch.Tables).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            batch.Faulted = true;
            Failed(ex);
        }
    }
}
