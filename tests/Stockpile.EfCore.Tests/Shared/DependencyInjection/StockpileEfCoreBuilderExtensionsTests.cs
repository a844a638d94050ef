using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Interception;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.DependencyInjection;

[TestFixture]
public sealed class StockpileEfCoreBuilderExtensionsTests
{
    private static ServiceProvider BuildServices(StockpileCommitPolicy policy)
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<TestDbContext>((sp, o) =>
        {
            TestDatabase.Current.Configure(o);
            o.AddStockpileInterceptor(sp);
        });
        services.AddStockpile().AddMemoryStore().AddEfCoreStore<TestDbContext>(configureInterceptor: o => o.DefaultPolicy = policy);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Test]
    public async Task AddEfCoreStore_ChainsMemoryThenDatabase()
    {
        await using var services = BuildServices(StockpileCommitPolicy.Evict);

        var chain = services.GetRequiredService<ChainedStore>();

        Assert.That(chain.Tiers.Select(t => t.GetType()), Is.EqualTo(new[] { typeof(MemoryStore), typeof(EfCoreStore<TestDbContext>) }));
        Assert.That(chain.IsSourceOfTruth, Is.True);
        Assert.That(services.GetRequiredService<EfCoreStore<TestDbContext>>(), Is.SameAs(chain.Tiers[1]));
    }

    [Test]
    public async Task AddStockpileInterceptor_FromServices_WritesCommittedStateThroughTheRegisteredChain()
    {
        await using var services = BuildServices(StockpileCommitPolicy.WriteThrough);
        var memory = services.GetRequiredService<MemoryStore>();
        var product = InterceptorChangeTests.NewProduct();

        await using (var context = await services.GetRequiredService<IDbContextFactory<TestDbContext>>().CreateDbContextAsync())
        {
            context.Add(product);
            await context.SaveChangesAsync();
        }

        Assert.That((await memory.GetAsync<Product, int>(product.Id))?.Sku, Is.EqualTo(product.Sku));
    }

    [Test]
    public async Task AddStockpileInterceptor_FromServices_EvictsOnCommit()
    {
        await using var services = BuildServices(StockpileCommitPolicy.Evict);
        var chain = services.GetRequiredService<ChainedStore>();
        var memory = services.GetRequiredService<MemoryStore>();
        var product = InterceptorChangeTests.NewProduct();
        await chain.PutAsync(product);
        Assert.That(await memory.GetAsync<Product, int>(product.Id), Is.Not.Null);

        await using (var context = await services.GetRequiredService<IDbContextFactory<TestDbContext>>().CreateDbContextAsync())
        {
            (await context.Set<Product>().SingleAsync(p => p.Id == product.Id)).Name = "changed";
            await context.SaveChangesAsync();
        }

        Assert.That(await memory.GetAsync<Product, int>(product.Id), Is.Null);
        Assert.That((await chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("changed"));
    }
}
