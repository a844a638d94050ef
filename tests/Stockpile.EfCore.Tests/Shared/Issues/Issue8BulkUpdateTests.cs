using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Interception;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 8: <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> (sync and async) are seen: after the statement commits (at once
/// outside a transaction, at commit inside one, never after a rollback) every cache tier drops the affected entity types.
/// </summary>
[TestFixture]
public sealed class Issue8BulkUpdateTests
{
    private static async Task<(CacheHarness Harness, Product Product)> SeedAsync()
    {
        var harness = new CacheHarness();
        var product = (await harness.SeedCachedAsync(InterceptorChangeTests.NewProduct()))[0];
        return (harness, product);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ExecuteUpdate_NoTransaction_CachesDropTheOldState(bool async)
    {
        var (harness, product) = await SeedAsync();

        await using (var context = harness.App.CreateDbContext())
        {
            var rows = context.Set<Product>().Where(p => p.Id == product.Id);
            var updated = async
                ? await rows.ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "bulk"))
                : rows.ExecuteUpdate(s => s.SetProperty(p => p.Name, "bulk"));
            Assert.That(updated, Is.EqualTo(1));
        }

        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
        Assert.That((await harness.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("bulk"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ExecuteDelete_NoTransaction_CachesDropTheRow(bool async)
    {
        var (harness, product) = await SeedAsync();

        await using (var context = harness.App.CreateDbContext())
        {
            var rows = context.Set<Product>().Where(p => p.Sku == product.Sku);
            Assert.That(async ? await rows.ExecuteDeleteAsync() : rows.ExecuteDelete(), Is.EqualTo(1));
        }

        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
        Assert.That(await harness.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);
    }

    [Test]
    public async Task ExecuteUpdate_InTransaction_DroppedAtCommitNotBefore()
    {
        var (harness, product) = await SeedAsync();

        await using (var context = harness.App.CreateDbContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            await context.Set<Product>().Where(p => p.Id == product.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "bulk"));
            Assert.That((await harness.L1.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "nothing is dropped before the commit");
            await transaction.CommitAsync();
        }

        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
        Assert.That((await harness.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("bulk"));
    }

    [Test]
    public async Task ExecuteUpdate_RolledBack_CachesKeepTheirState()
    {
        var (harness, product) = await SeedAsync();

        await using (var context = harness.App.CreateDbContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            await context.Set<Product>().Where(p => p.Id == product.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "bulk"));
            await transaction.RollbackAsync();
        }

        Assert.That((await harness.L1.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "a rolled-back statement changes nothing");
        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
    }

    [Test]
    public async Task ExecuteUpdate_OtherTable_LeavesThisTypeCached()
    {
        var (harness, product) = await SeedAsync();

        await using (var context = harness.App.CreateDbContext())
        {
            await context.Set<Customer>().Where(c => c.Code == "nobody").ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "x"));
        }

        Assert.That(await harness.L1.GetAsync<Product, int>(product.Id), Is.Not.Null, "a statement on another table leaves products alone");
    }
}
