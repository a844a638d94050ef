using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Interception;

[TestFixture]
public sealed class InterceptorPooledContextTests
{
    [Test]
    public async Task SaveChanges_ConcurrencyFailureOnReusedPooledContext_ReleasesItsRows()
    {
        var harness = new CacheHarness(StockpileCommitPolicy.WriteThrough);
        var factory = new PooledDbContextFactory<TestDbContext>(TestDatabase.Current.Options<TestDbContext>(b => b.AddStockpileInterceptor(harness.Chain, o => o.DefaultPolicy = StockpileCommitPolicy.WriteThrough)));
        var (kept, gone) = (InterceptorChangeTests.NewProduct(), InterceptorChangeTests.NewProduct());
        await harness.SeedCachedAsync(kept, gone);
        TestDbContext first;
        await using (var context = first = factory.CreateDbContext())
        {
            context.Update(new Product { Id = kept.Id, Sku = kept.Sku, Name = "first use", Price = 1m });
            await context.SaveChangesAsync();
        }

        await harness.Source.DeleteAsync(EntityKey.For<Product>(gone.Id));
        await using (var context = factory.CreateDbContext())
        {
            Assert.That(context, Is.SameAs(first), "the premise: the pool hands the same context out again");
            context.Update(new Product { Id = kept.Id, Sku = kept.Sku, Name = "never saved", Price = 1m });
            context.Update(new Product { Id = gone.Id, Sku = gone.Sku, Name = "gone", Price = 1m });
            Assert.That(async () => await context.SaveChangesAsync(), Throws.InstanceOf<DbUpdateConcurrencyException>());
        }

        await using (var context = harness.App.CreateDbContext())
        {
            context.Update(new Product { Id = kept.Id, Sku = kept.Sku, Name = "saved", Price = 1m });
            await context.SaveChangesAsync();
        }

        Assert.That((await harness.L2.GetAsync<Product, int>(kept.Id))?.Name, Is.EqualTo("saved"), "the failed save released its rows: the next commit writes through");
    }
}
