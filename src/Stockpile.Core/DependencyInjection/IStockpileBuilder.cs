using Microsoft.Extensions.DependencyInjection;

namespace Stockpile;

/// <summary>Configures Stockpile in a service collection; integrations add their stores through extension methods on it.</summary>
public interface IStockpileBuilder
{
    /// <summary>Gets the service collection Stockpile is registered in.</summary>
    IServiceCollection Services { get; }
}
