using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Testing.Caching;

namespace Stockpile.Tests.Caching;

/// <summary>The HybridCache contract on a memory-only cache, and its registration.</summary>
[TestFixture]
public sealed class StockpileHybridCacheTests() : StockpileHybridCacheContractTests(new MemoryCacheHost())
{
    [Test]
    public async Task AddCache_RegistersHybridCacheAndIStockpileCache_OverOneCache()
    {
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddCache(o => o.KeyPrefix = "app");
        await using var provider = services.BuildServiceProvider();

        var hybrid = provider.GetRequiredService<HybridCache>();
        var cache = provider.GetRequiredService<IStockpileCache>();
        await hybrid.SetAsync("k", "from hybrid");

        Assert.That(hybrid, Is.InstanceOf<StockpileHybridCache>());
        Assert.That(await cache.GetAsync<string>("k"), Is.EqualTo("from hybrid"));
    }
}
