namespace Stockpile;

/// <summary>Finds the named caches registered with <c>AddCache(name, …)</c>.</summary>
public interface IStockpileCacheProvider
{
    /// <summary>Gets the names of the registered named caches.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Gets a named cache.</summary>
    /// <param name="name">The name it was registered under.</param>
    /// <returns>The cache.</returns>
    /// <exception cref="InvalidOperationException">No cache has that name; the message lists the names there are.</exception>
    IStockpileCache GetCache(string name);
}
