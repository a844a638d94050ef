using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Internal.Containers;

/// <summary>Resolves containers from the container (they are keyed services), with a clear error for a name never registered.</summary>
internal sealed class StockpileContainerProvider(IServiceProvider services, ContainerRegistry registry) : IStockpileContainerProvider
{
    public IReadOnlyCollection<string> Names => registry.Names;

    public IStockpileContainer GetContainer(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return registry.Names.Contains(name, StringComparer.Ordinal)
            ? services.GetRequiredKeyedService<IStockpileContainer>(name)
            : throw new InvalidOperationException(ExceptionMessages.ContainerUnknown(name, registry.Names));
    }
}
