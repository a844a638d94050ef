using System.Transactions;
using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Interception;

/// <summary>TransactionScope needs a provider that enlists in ambient transactions: Npgsql does, SQLite does not.</summary>
[TestFixture]
public sealed class TransactionScopeTests
{
    private static Product NewProduct() => InterceptorChangeTests.NewProduct();

    [TestCase(true)]
    [TestCase(false)]
    public async Task TransactionScope_TouchesCachesOnlyWhenCompleted(bool complete)
    {
        var harness = new CacheHarness(StockpileCommitPolicy.WriteThrough);
        var product = (await harness.SeedCachedAsync(NewProduct()))[0];

        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await using (var context = harness.App.CreateDbContext())
            {
                (await context.Set<Product>().SingleAsync(p => p.Id == product.Id)).Name = "in scope";
                await context.SaveChangesAsync();
            }

            Assert.That((await harness.L1.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "not committed yet");
            if (complete)
            {
                scope.Complete();
            }
        }

        Assert.That((await CacheHarness.FromDatabaseAsync(product.Id))?.Name, Is.EqualTo(complete ? "in scope" : product.Name));
        Assert.That((await harness.L1.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(complete ? "in scope" : product.Name));
        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
    }
}
