using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Interception;

[TestFixture]
public sealed class InterceptorTransactionTests
{
    private static Product NewProduct() => InterceptorChangeTests.NewProduct();

    [TestCase(StockpileCommitPolicy.Evict)]
    [TestCase(StockpileCommitPolicy.WriteThrough)]
    public async Task ExplicitTransaction_Commit_TouchesCachesOnlyAtCommit(StockpileCommitPolicy policy)
    {
        var harness = new CacheHarness(policy);
        var product = (await harness.SeedCachedAsync(NewProduct()))[0];

        await using var context = harness.App.CreateDbContext();
        await using var transaction = await context.Database.BeginTransactionAsync();
        (await context.Set<Product>().SingleAsync(p => p.Id == product.Id)).Name = "in transaction";
        await context.SaveChangesAsync();

        Assert.That((await harness.L1.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "nothing is committed yet: the caches are untouched");

        await transaction.CommitAsync();

        var cached = await harness.L1.GetAsync<Product, int>(product.Id);
        Assert.That(cached?.Name, policy == StockpileCommitPolicy.WriteThrough ? Is.EqualTo("in transaction") : Is.Null);
        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
    }

    [Test]
    public async Task ExplicitTransaction_Rollback_LeavesCachesAndALaterCommitDoesNotApplyIt()
    {
        var harness = new CacheHarness(StockpileCommitPolicy.WriteThrough);
        var products = await harness.SeedCachedAsync(NewProduct(), NewProduct());

        await using var context = harness.App.CreateDbContext();
        await using (var rolledBack = await context.Database.BeginTransactionAsync())
        {
            (await context.Set<Product>().SingleAsync(p => p.Id == products[0].Id)).Name = "rolled back";
            await context.SaveChangesAsync();
            await rolledBack.RollbackAsync();
        }

        Assert.That((await harness.L1.GetAsync<Product, int>(products[0].Id))?.Name, Is.EqualTo(products[0].Name), "a rollback touches no cache");

        await using (var committed = await context.Database.BeginTransactionAsync())
        {
            (await context.Set<Product>().SingleAsync(p => p.Id == products[1].Id)).Name = "committed";
            await context.SaveChangesAsync();
            await committed.CommitAsync();
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That((await tier.GetAsync<Product, int>(products[0].Id))?.Name, Is.EqualTo(products[0].Name), $"tier {tier.Name} got the rolled-back state");
        }

        Assert.That((await harness.L1.GetAsync<Product, int>(products[1].Id))?.Name, Is.EqualTo("committed"));
        await harness.AssertCachesMatchDatabaseAsync(products[0].Id, products[0].Sku);
    }

    [TestCase(StockpileCommitPolicy.Evict)]
    [TestCase(StockpileCommitPolicy.WriteThrough)]
    public async Task FailedSaveChanges_TouchesNoCache(StockpileCommitPolicy policy)
    {
        var harness = new CacheHarness(policy);
        var products = await harness.SeedCachedAsync(NewProduct(), NewProduct());

        await using (var context = harness.App.CreateDbContext())
        {
            (await context.Set<Product>().SingleAsync(p => p.Id == products[0].Id)).Name = "never committed";
            context.Add(InterceptorChangeTests.NewProduct(sku: products[1].Sku));
            Assert.ThrowsAsync<DbUpdateException>(async () => await context.SaveChangesAsync());
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That((await tier.GetAsync<Product, int>(products[0].Id))?.Name, Is.EqualTo(products[0].Name), $"tier {tier.Name} was touched by a failed save");
        }

        Assert.That((await CacheHarness.FromDatabaseAsync(products[0].Id))?.Name, Is.EqualTo(products[0].Name));
    }

    [Test]
    public async Task FailedSaveChangesInsideCommittedTransaction_CachesMatchDatabase()
    {
        var harness = new CacheHarness(StockpileCommitPolicy.WriteThrough);
        var products = await harness.SeedCachedAsync(NewProduct(), NewProduct());

        await using var context = harness.App.CreateDbContext();
        await using var transaction = await context.Database.BeginTransactionAsync();
        (await context.Set<Product>().SingleAsync(p => p.Id == products[0].Id)).Name = "first save";
        await context.SaveChangesAsync();
        var clash = InterceptorChangeTests.NewProduct(sku: products[1].Sku);
        context.Add(clash);
        Assert.ThrowsAsync<DbUpdateException>(async () => await context.SaveChangesAsync());
        context.Entry(clash).State = EntityState.Detached;
        await transaction.CommitAsync();

        Assert.That((await CacheHarness.FromDatabaseAsync(products[0].Id))?.Name, Is.EqualTo("first save"));
        await harness.AssertCachesMatchDatabaseAsync(products[0].Id, products[0].Sku);
        await harness.AssertCachesMatchDatabaseAsync(products[1].Id, products[1].Sku);
    }

    [Test]
    public async Task Savepoint_RolledBackInsideCommittedTransaction_NoTierKeepsRolledBackOrStaleState()
    {
        var harness = new CacheHarness(StockpileCommitPolicy.WriteThrough);
        var products = await harness.SeedCachedAsync(NewProduct(), NewProduct());

        await using var context = harness.App.CreateDbContext();
        await using var transaction = await context.Database.BeginTransactionAsync();
        var first = await context.Set<Product>().SingleAsync(p => p.Id == products[0].Id);
        first.Name = "kept";
        await context.SaveChangesAsync();
        await transaction.CreateSavepointAsync("before_second");
        first.Name = "undone";
        var second = await context.Set<Product>().SingleAsync(p => p.Id == products[1].Id);
        second.Name = "undone too";
        context.Entry(first).State = EntityState.Modified;
        context.Entry(second).State = EntityState.Modified;
        await context.SaveChangesAsync();
        await transaction.RollbackToSavepointAsync("before_second");
        await transaction.CommitAsync();

        Assert.That((await CacheHarness.FromDatabaseAsync(products[0].Id))?.Name, Is.EqualTo("kept"));
        Assert.That((await CacheHarness.FromDatabaseAsync(products[1].Id))?.Name, Is.EqualTo(products[1].Name));
        foreach (var tier in harness.Caches)
        {
            Assert.That((await tier.GetAsync<Product, int>(products[0].Id))?.Name, Is.Not.EqualTo("undone").And.Not.EqualTo(products[0].Name), $"tier {tier.Name}");
            Assert.That((await tier.GetAsync<Product, int>(products[1].Id))?.Name, Is.Not.EqualTo("undone too"), $"tier {tier.Name}");
        }

        await harness.AssertCachesMatchDatabaseAsync(products[0].Id, products[0].Sku);
        await harness.AssertCachesMatchDatabaseAsync(products[1].Id, products[1].Sku);
        Assert.That((await harness.Chain.GetAsync<Product, int>(products[0].Id))?.Name, Is.EqualTo("kept"));
    }
}
