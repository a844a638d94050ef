namespace Stockpile.Internal.Containers;

/// <summary>Resolves containers from the container (they are keyed services), with a clear error for a name never registered.</summary>
internal sealed class StockpileContainerProvider(IServiceProvider services, NameRegistry<IStockpileContainer> registry) : IStockpileContainerProvider
{
    public IReadOnlyCollection<string> Names => registry.Names;

    public IStockpileContainer GetContainer(string name) => registry.Resolve(services, name);
}
