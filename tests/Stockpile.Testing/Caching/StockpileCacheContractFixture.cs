namespace Stockpile.Testing.Caching;

/// <summary>
/// The root of the cache contract suites: the host their caches live on, started before the fixture's first test and
/// disposed after its last, so a binding of a suite to a host is one line.
/// </summary>
/// <param name="host">Where the caches under test live.</param>
public abstract class StockpileCacheContractFixture(IStockpileCacheHost host)
{
    /// <summary>Gets a value indicating whether the cache has a process level, which keeps immutable values by reference.</summary>
    protected bool HasMemoryLevel => host.HasMemoryLevel;

    [OneTimeSetUp]
    public Task StartHostAsync() => host.StartAsync();

    [OneTimeTearDown]
    public ValueTask StopHostAsync() => host.DisposeAsync();

    /// <summary>Creates the cache under test; a host on a shared server keeps each test in a namespace of its own.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The cache.</returns>
    protected StockpileCache CreateCache(StockpileCacheOptions options) => host.Create(options);
}
