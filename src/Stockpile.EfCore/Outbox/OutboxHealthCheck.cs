using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stockpile.Internal;

/// <summary>
/// "Outbox not backing up": counts a context's outbox rows and ages the oldest. Degraded from
/// <see cref="StockpileOutboxOptions.DegradedDepth"/> rows or <see cref="StockpileOutboxOptions.DegradedAge"/>; the
/// registration's failure status from the unhealthy thresholds, or when the database does not answer.
/// </summary>
internal sealed class OutboxHealthCheck<TContext>(IDbContextFactory<TContext> contexts, StockpileOutboxOptions options) : IHealthCheck
    where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long count;
        long? oldest;
        try
        {
            var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using (db.ConfigureAwait(false))
            {
                var table = OutboxTable.For(db);
                await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    (count, oldest) = await table.StatsAsync(db.Database.GetDbConnection(), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await db.Database.CloseConnectionAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The type only: a database exception's message may name the server and the user.
            return new HealthCheckResult(context.Registration.FailureStatus, $"The outbox of '{typeof(TContext).Name}' could not be read ({ex.GetType().Name}).");
        }

        var age = oldest is { } created ? options.TimeProvider.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(created) : TimeSpan.Zero;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["depth"] = count, ["oldest_age_seconds"] = Math.Max(0, age.TotalSeconds) };
        var description = $"The outbox of '{typeof(TContext).Name}' holds {count} row(s); the oldest is {Math.Max(0, age.TotalSeconds):0} s old.";
        if (count >= options.UnhealthyDepth || age >= options.UnhealthyAge)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, description, data: data);
        }

        return count >= options.DegradedDepth || age >= options.DegradedAge
            ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data);
    }
}
