namespace Stockpile.Internal.Caching;

/// <summary>Resolves named caches from the container (they are keyed services), with a clear error for a name never registered.</summary>
internal sealed class StockpileCacheProvider(IServiceProvider services, NameRegistry<IStockpileCache> registry) : IStockpileCacheProvider
{
    public IReadOnlyCollection<string> Names => registry.Names;

    public IStockpileCache GetCache(string name) => registry.Resolve(services, name);
}
