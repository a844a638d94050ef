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

    /// <summary>
    /// Lane pg6: a chain read inside a scope that saved a change read the scope's own uncommitted row (the store's
    /// context enlisted in the ambient transaction) and back-filled the cache tiers with it; when the scope aborted they
    /// kept a state the database never committed. The store's operations now run outside any ambient transaction.
    /// </summary>
    [Test]
    public async Task ChainRead_InsideAScopeThatSavedAndAborts_NeverCachesTheUncommittedState()
    {
        var harness = new CacheHarness();
        var product = NewProduct();
        await harness.Source.PutAsync(product);

        using (new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await using var context = harness.App.CreateDbContext();
            (await context.Set<Product>().SingleAsync(p => p.Id == product.Id)).Name = "uncommitted";
            await context.SaveChangesAsync();

            Assert.That((await harness.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "the chain reads what is committed");
        }

        Assert.That((await CacheHarness.FromDatabaseAsync(product.Id))?.Name, Is.EqualTo(product.Name), "the scope aborted");
        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
    }

    /// <summary>
    /// Lane pg6: a chain write inside a scope enlisted the store's save in the ambient transaction, while the chain wrote
    /// the cache tiers at once; an aborted scope left them holding a put the database rolled back. A chain write is its
    /// own unit of work now (as it is beside an explicit transaction of the app's context): committed at once, whatever
    /// the scope does, so every tier agrees with the database.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public async Task ChainPut_InsideAScope_CommitsOnItsOwn(bool complete)
    {
        var harness = new CacheHarness();
        var product = (await harness.SeedCachedAsync(NewProduct()))[0];

        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await harness.Chain.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "put", Price = product.Price });
            if (complete)
            {
                scope.Complete();
            }
        }

        Assert.That((await CacheHarness.FromDatabaseAsync(product.Id))?.Name, Is.EqualTo("put"));
        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
    }
}
