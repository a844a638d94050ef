using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Interception;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Stores;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 8: a chain put or delete through the EF Core tier, with the interceptor on the store's own contexts (as
/// <c>AddStockpileInterceptor(sp)</c> registers it), came back through the interceptor: one more eviction and one more
/// backplane message per write, and the chain's own write-through was evicted again. The store marks its saves and the
/// interceptor leaves them to the chain: one message per write, and the put stays cached.
/// </summary>
public sealed class Issue8OneWritePerWriteTests
{
    [Test]
    public async Task ChainPutAndDelete_ThroughTheEfCoreTier_OneBackplaneMessageEach_AndThePutStaysCached()
    {
        var backplane = new CountingBackplane();
        var services = new ServiceCollection();
        services.AddSingleton<IStockpileBackplane>(backplane);
        services.AddDbContextFactory<TestDbContext>((sp, o) =>
        {
            TestDatabase.Current.Configure(o);
            o.AddStockpileInterceptor(sp);
        });
        services.AddStockpile().AddMemoryStore().AddEfCoreStore<TestDbContext>();
        await using var provider = services.BuildServiceProvider();
        var chain = provider.GetRequiredService<ChainedStore>();
        var memory = provider.GetRequiredService<MemoryStore>();
        var product = InterceptorChangeTests.NewProduct();

        await chain.PutAsync(product);

        Assert.That(backplane.Evictions, Is.EqualTo(1), "one message for the put");
        Assert.That((await memory.GetAsync<Product, int>(product.Id))?.Sku, Is.EqualTo(product.Sku), "the chain's write-through was not evicted again");

        Assert.That(await chain.DeleteAsync(product), Is.True);

        Assert.That(backplane.Evictions, Is.EqualTo(2), "one message for the delete");
        Assert.That(await chain.GetAsync<Product, int>(product.Id), Is.Null);

        // A save of the application's own still goes through the interceptor.
        await chain.PutAsync(product);
        await using (var context = await provider.GetRequiredService<IDbContextFactory<TestDbContext>>().CreateDbContextAsync())
        {
            (await context.Set<Product>().SingleAsync(p => p.Id == product.Id)).Name = "changed";
            await context.SaveChangesAsync();
        }

        // The save's message follows it in the background (EvictSharedTiersInBackground, the default).
        Assert.That(await chain.SettledAsync(), Is.True);
        Assert.That(backplane.Evictions, Is.EqualTo(4), "the put, then the application's save");
        Assert.That((await chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("changed"));
    }
}
