using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Stockpile.Internal;

/// <summary>
/// A further health check an integration registers in the container (the EF Core outbox does); <c>AddStockpileHealthChecks()</c>
/// adds each one, named after the Stockpile check with <see cref="Name"/> appended.
/// </summary>
internal sealed record StockpileHealthContribution(string Name, Func<IServiceProvider, IHealthCheck> Factory);
