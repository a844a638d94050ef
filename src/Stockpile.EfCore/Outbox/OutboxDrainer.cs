using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Stockpile.Internal;

/// <summary>
/// Drains the outbox rows of one context type that commits left behind: each row is claimed for a lease (so two
/// instances never work on one row at once), its evictions are applied through the chain, and it is deleted only when
/// every cache tier took them; otherwise its lease is released and a later pass retries it.
/// </summary>
internal sealed class OutboxDrainer<TContext>
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contexts;
    private readonly CommitCoordinator _coordinator;
    private readonly StockpileOutboxOptions _options;
    private readonly ILogger _logger;
    private long _depth;

    public OutboxDrainer(IDbContextFactory<TContext> contexts, CommitCoordinator coordinator, StockpileOutboxOptions options, StockpileMetrics metrics, ILogger logger)
    {
        _contexts = contexts;
        _coordinator = coordinator;
        _options = options;
        _logger = logger;
        metrics.Meter.CreateObservableGauge(
            "stockpile.outbox.depth",
            () => new Measurement<long>(Volatile.Read(ref _depth), new KeyValuePair<string, object?>("stockpile.context", typeof(TContext).Name)),
            unit: "{row}",
            description: "Outbox rows pending (commits whose evictions have not reached every tier), as counted at the end of the last drain pass.");
    }

    /// <summary>Gets the rows pending at the end of the last pass.</summary>
    public long Depth => Volatile.Read(ref _depth);

    /// <summary>Checks that the context's model has the outbox table.</summary>
    /// <exception cref="InvalidOperationException">It has not; the message names the context type.</exception>
    public async Task CheckModelAsync(CancellationToken cancellationToken)
    {
        var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            _ = OutboxTable.For(context);
        }
    }

    /// <summary>Runs one pass; with <paramref name="everything"/> (start-up) rows of any age are drained.</summary>
    /// <returns>The number of rows applied and deleted by this pass.</returns>
    public async Task<int> DrainAsync(bool everything, CancellationToken cancellationToken)
    {
        var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var table = OutboxTable.For(context);
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var connection = context.Database.GetDbConnection();

                // Rows whose evictions this process completed: deleted, not applied again.
                await table.DeleteDoneAsync(connection, null, cancellationToken).ConfigureAwait(false);
                var drained = 0;
                bool more;
                do
                {
                    var now = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
                    var createdBy = everything ? long.MaxValue : now - (long)_options.MinimumAge.TotalMilliseconds;
                    var rows = await table.PendingAsync(connection, now, createdBy, _options.BatchSize, cancellationToken).ConfigureAwait(false);
                    var before = drained;
                    foreach (var (id, payload) in rows)
                    {
                        drained += await DrainRowAsync(table, connection, id, payload, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                    }

                    // A full page read again only while rows go: with a tier away, the pass ends and a later one retries.
                    more = rows.Count == _options.BatchSize && drained > before;
                }
                while (more);

                var (count, _) = await table.StatsAsync(connection, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _depth, count);
                if (drained > 0)
                {
                    Log.OutboxDrained(_logger, drained, typeof(TContext).Name, count);
                }

                return drained;
            }
            finally
            {
                await context.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> DrainRowAsync(OutboxTable table, System.Data.Common.DbConnection connection, string id, string payload, CancellationToken cancellationToken)
    {
        var now = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var until = now + (long)_options.LeaseDuration.TotalMilliseconds;
        if (!await table.ClaimAsync(connection, id, now, until, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        CommitBatch batch;
        try
        {
            batch = OutboxPayload.Read(_coordinator, payload);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Unreadable: everything is evicted, which covers whatever it named.
            Log.OutboxDrainFailed(_logger, typeof(TContext).Name, ex);
            batch = new CommitBatch(_coordinator, []) { InvalidateAll = true };
        }

        batch.OutboxRow = new OutboxRow(table, id, connection, DeleteAtOnce: true);
        await _coordinator.ReplayAsync(batch).ConfigureAwait(false);
        if (!batch.OutboxDone)
        {
            await table.ReleaseAsync(connection, id, until, CancellationToken.None).ConfigureAwait(false);
        }

        return batch.OutboxDone;
    }
}
