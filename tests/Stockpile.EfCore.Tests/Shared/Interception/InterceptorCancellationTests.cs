using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Interception;

[TestFixture]
public sealed class InterceptorCancellationTests
{
    [Test]
    public async Task SaveChangesAsync_Canceled_ReleasesItsRowsForTheNextWriteThrough()
    {
        var harness = new CacheHarness(StockpileCommitPolicy.WriteThrough);
        var product = (await harness.SeedCachedAsync(InterceptorChangeTests.NewProduct()))[0];
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await using (var context = harness.App.CreateDbContext())
        {
            context.Update(new Product { Id = product.Id, Sku = product.Sku, Name = "never saved", Price = 2m });
            Assert.That(async () => await context.SaveChangesAsync(canceled.Token), Throws.InstanceOf<OperationCanceledException>());
        }

        // Another context writes the same row: the canceled save must not hold its claim (which turns write-through into eviction).
        await using (var context = harness.App.CreateDbContext())
        {
            context.Update(new Product { Id = product.Id, Sku = product.Sku, Name = "saved", Price = 3m });
            await context.SaveChangesAsync();
        }

        Assert.That((await harness.L2.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("saved"), "the committed state is written through, not evicted");
        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
    }
}
