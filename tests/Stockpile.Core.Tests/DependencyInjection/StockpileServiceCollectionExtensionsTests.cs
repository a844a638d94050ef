using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.DependencyInjection;

public sealed class StockpileServiceCollectionExtensionsTests
{
    [Test]
    public async Task AddStockpile_WithTiers_ChainsThemInOrder()
    {
        var bottom = new MemoryStore(new MemoryStoreOptions { Name = "bottom" });
        await using var provider = new ServiceCollection()
            .AddStockpile()
            .AddMemoryStore()
            .AddTier(_ => bottom)
            .Services.BuildServiceProvider();

        var chain = provider.GetRequiredService<ChainedStore>();

        Assert.That(chain.Tiers.Select(t => t.Name), Is.EqualTo(new[] { "memory", "bottom" }));
        Assert.That(provider.GetRequiredService<ObjectStore>(), Is.SameAs(chain));
        Assert.That(chain.Tiers[0], Is.SameAs(provider.GetRequiredService<MemoryStore>()));

        await bottom.PutAsync(new Product { Id = 1, Sku = "A" });
        Assert.That((await chain.GetAsync<Product, int>(1))?.Sku, Is.EqualTo("A"));
        Assert.That(await provider.GetRequiredService<MemoryStore>().GetAsync<Product, int>(1), Is.Not.Null, "the read back-filled the memory tier");
    }

    [Test]
    public void AddStockpile_BindsOptionsFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stockpile:Name"] = "shop",
            ["Stockpile:ThrowOnCacheReadFailure"] = "true",
            ["Stockpile:Memory:SizeLimit"] = "123",
            ["Stockpile:Memory:DefaultLifetime"] = "00:05:00",
            ["Stockpile:Memory:Polymorphic"] = "true",
        }).Build();

        using var provider = new ServiceCollection().AddStockpile(configuration.GetSection("Stockpile")).AddMemoryStore().Services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<StockpileOptions>>().Value;

        Assert.That((options.Name, options.ThrowOnCacheReadFailure, options.Memory.SizeLimit, options.Memory.DefaultLifetime, options.Memory.Polymorphic),
            Is.EqualTo(("shop", true, (int?)123, TimeSpan.FromMinutes(5), true)));
        Assert.That(provider.GetRequiredService<ChainedStore>().Name, Is.EqualTo("shop"));
        Assert.That(provider.GetRequiredService<MemoryStore>().IsPolymorphic, Is.True);
    }

    [Test]
    public async Task AddStockpile_InvalidOptions_FailsAtStartup()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddStockpile(o => o.Memory.SizeLimit = 0).AddMemoryStore();
        using var host = builder.Build();

        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(ex!.Message, Does.Contain("SizeLimit"));
        await host.StopAsync();
    }

    [Test]
    public void AddStockpile_NoTiers_ResolvingTheChainExplains()
    {
        using var provider = new ServiceCollection().AddStockpile().Services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ChainedStore>());

        Assert.That(ex!.Message, Does.Contain("no tiers"));
    }

    [Test]
    public async Task ScopedStore_IsOnePerScope()
    {
        await using var provider = new ServiceCollection().AddStockpile().AddMemoryStore().Services.BuildServiceProvider();
        await using var first = provider.CreateAsyncScope();
        await using var second = provider.CreateAsyncScope();

        var store = first.ServiceProvider.GetRequiredService<ScopedStore>();
        await store.PutAsync(new Product { Id = 7, Sku = "S" });

        Assert.That(first.ServiceProvider.GetRequiredService<ScopedStore>(), Is.SameAs(store));
        Assert.That(await first.ServiceProvider.GetRequiredService<ScopedStore>().GetAsync<Product, int>(7), Is.Not.Null);
        Assert.That(await second.ServiceProvider.GetRequiredService<ScopedStore>().GetAsync<Product, int>(7), Is.Null);
    }
}
