using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Interception;

/// <summary>Npgsql hands out the same DbTransaction object for each transaction on a connection.</summary>
[TestFixture]
public sealed class ReusedTransactionTests
{
    [Test]
    public async Task BeginTransaction_AfterOneDisposedUncommitted_DoesNotApplyItsChanges()
    {
        var harness = new CacheHarness(StockpileCommitPolicy.Evict);
        var products = await harness.SeedCachedAsync(InterceptorChangeTests.NewProduct(), InterceptorChangeTests.NewProduct());
        var (kept, changed) = (products[0], products[1]);

        await using var context = harness.App.CreateDbContext();
        await context.Database.OpenConnectionAsync();
        var first = await context.Database.BeginTransactionAsync();
        var reused = first.GetDbTransaction();
        (await context.Set<Product>().SingleAsync(p => p.Id == kept.Id)).Name = "never committed";
        await context.SaveChangesAsync();
        await first.DisposeAsync(); // neither committed nor rolled back through EF: the database rolls it back

        await using (var second = await context.Database.BeginTransactionAsync())
        {
            Assert.That(second.GetDbTransaction(), Is.SameAs(reused), "the scenario needs the provider to reuse the transaction object");
            (await context.Set<Product>().SingleAsync(p => p.Id == changed.Id)).Name = "committed";
            await context.SaveChangesAsync();
            await second.CommitAsync();
        }

        Assert.That((await CacheHarness.FromDatabaseAsync(kept.Id))?.Name, Is.EqualTo(kept.Name));
        Assert.That((await harness.L1.GetAsync<Product, int>(kept.Id))?.Name, Is.EqualTo(kept.Name), "the disposed transaction's change must not be applied by the next commit");
        Assert.That(await harness.L1.GetAsync<Product, int>(changed.Id), Is.Null, "the committed change is evicted");
    }
}
