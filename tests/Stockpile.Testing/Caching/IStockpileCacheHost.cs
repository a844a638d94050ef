namespace Stockpile.Testing.Caching;

/// <summary>Where a cache contract suite's caches live (memory; memory over Redis; Redis alone; the cluster): one per fixture.</summary>
public interface IStockpileCacheHost : IAsyncDisposable
{
    /// <summary>Gets a value indicating whether the caches have a process level, which keeps immutable values by reference.</summary>
    bool HasMemoryLevel { get; }

    /// <summary>Connects to the host's server, if it has one, before the fixture's first test.</summary>
    /// <returns>A task that completes once connected.</returns>
    Task StartAsync();

    /// <summary>Creates a cache; a host on a shared server keeps each test in a namespace of its own.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The cache.</returns>
    StockpileCache Create(StockpileCacheOptions options);
}
