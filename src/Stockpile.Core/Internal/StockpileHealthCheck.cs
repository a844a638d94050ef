using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stockpile.Internal;

/// <summary>
/// Probes every tier of the chain: the source of truth failing is the registration's failure status (unhealthy by
/// default); only cache tiers failing is degraded, since the chain still answers from the source of truth. The data
/// holds each tier's state by name.
/// </summary>
internal sealed class StockpileHealthCheck(ChainedStore chain) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var tiers = chain.Tiers;
        var probes = tiers.Select(t => t.ProbeAsync(cancellationToken).AsTask()).ToArray();
        await Task.WhenAll(probes).ConfigureAwait(false);

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();
        var sourceFailed = false;
        for (var i = 0; i < tiers.Count; i++)
        {
            var problem = await probes[i].ConfigureAwait(false);
            data[tiers[i].Name] = problem ?? "healthy";
            if (problem is not null)
            {
                problems.Add($"{tiers[i].Name}: {problem}");
                sourceFailed |= tiers[i].IsSourceOfTruth;
            }
        }

        if (problems.Count == 0)
        {
            return HealthCheckResult.Healthy("Every Stockpile tier answers.", data);
        }

        var description = string.Join(" ", problems);
        return sourceFailed
            ? new HealthCheckResult(context.Registration.FailureStatus, description, data: data)
            : HealthCheckResult.Degraded(description, data: data);
    }
}
