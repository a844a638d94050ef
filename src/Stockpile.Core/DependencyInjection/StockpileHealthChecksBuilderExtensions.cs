using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stockpile;
using Stockpile.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Stockpile's health check with ASP.NET Core's (or any host's) health checks.</summary>
public static class StockpileHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check that probes every tier of the <see cref="ChainedStore"/> that <c>AddStockpile()</c> registered:
    /// Redis answers a PING and its circuit breaker is closed, and the database accepts a connection. With the EF Core
    /// outbox on (<c>AddOutbox&lt;TContext&gt;()</c>), a check named <c>{name}-outbox-{context}</c> reports whether the
    /// outbox is backing up.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status when the source of truth (the database) fails; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by, e.g. <c>ready</c>.</param>
    /// <param name="timeout">How long the probes may take before the check fails; <see langword="null"/> for no limit of its own (Redis and the database still time out by their own settings).</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>
    /// A failing cache tier (Redis unreachable, circuit open or half-open) reports <see cref="HealthStatus.Degraded"/>:
    /// the chain still serves from the source of truth. The result's data holds each tier's state by tier name; no
    /// key, value or password appears in it.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddStockpileHealthChecks(this IHealthChecksBuilder builder, string name = "stockpile", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        // Integrations' checks (the outbox's), known only once every service is registered.
        var tagList = tags?.ToArray();
        builder.Services.AddOptions<HealthCheckServiceOptions>().Configure<IEnumerable<StockpileHealthContribution>>((options, contributions) =>
        {
            foreach (var contribution in contributions)
            {
                options.Registrations.Add(new HealthCheckRegistration($"{name}-{contribution.Name}", contribution.Factory, failureStatus, tagList, timeout));
            }
        });
        return builder.Add(new HealthCheckRegistration(name, static sp => new StockpileHealthCheck(sp.GetRequiredService<ChainedStore>()), failureStatus, tagList, timeout));
    }
}
