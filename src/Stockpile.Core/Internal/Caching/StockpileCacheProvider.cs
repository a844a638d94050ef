using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Internal.Caching;

/// <summary>Resolves named caches from the container (they are keyed services), with a clear error for a name never registered.</summary>
internal sealed class StockpileCacheProvider(IServiceProvider services, NamedCacheRegistry registry) : IStockpileCacheProvider
{
    public IReadOnlyCollection<string> Names => registry.Names;

    public IStockpileCache GetCache(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return registry.Names.Contains(name)
            ? services.GetRequiredKeyedService<IStockpileCache>(name)
            : throw new InvalidOperationException($"No Stockpile cache is named '{name}'. Registered: {(registry.Names.Count == 0 ? "none" : string.Join(", ", registry.Names.Select(static n => $"'{n}'")))}. Add it with AddCache(\"{name}\").");
    }
}
