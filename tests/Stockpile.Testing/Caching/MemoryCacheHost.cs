namespace Stockpile.Testing.Caching;

/// <summary>Caches on the memory tier alone: nothing to connect to.</summary>
public sealed class MemoryCacheHost : IStockpileCacheHost
{
    /// <inheritdoc/>
    public bool HasMemoryLevel => true;

    /// <inheritdoc/>
    public Task StartAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public StockpileCache Create(StockpileCacheOptions options) => new(options);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => default;
}
