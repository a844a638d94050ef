using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Interception;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 12, item 8: the interceptor reads a save's keys once before it (by model property, reusing the look-ups of keys
/// whose values did not change) and checks them again after it. These guard what that shortcut must keep: a key an
/// interceptor registered after Stockpile's moves during the save is evicted under its final value, and a key the save
/// moves itself is evicted under the old one.
/// </summary>
public sealed class Issue12SaveCaptureTests
{
    [TestCase(StockpileCommitPolicy.Evict)]
    [TestCase(StockpileCommitPolicy.WriteThrough)]
    public async Task SaveChanges_LaterInterceptorMovesAlternateKey_EvictsOldAndFinalKeys(StockpileCommitPolicy policy)
    {
        var harness = new CacheHarness(policy);
        var product = (await harness.SeedCachedAsync(InterceptorChangeTests.NewProduct()))[0];
        var finalSku = product.Sku + "-final";
        var ghost = InterceptorChangeTests.NewProduct(sku: finalSku);
        await harness.L1.PutAsync(ghost);
        await harness.L2.PutAsync(ghost);
        var app = CacheHarness.Database.Factory<TestDbContext>(b => b.AddStockpileInterceptor(harness.Chain, o => o.DefaultPolicy = policy).AddInterceptors(new MoveSku(finalSku)));

        await using (var context = app.CreateDbContext())
        {
            (await context.Set<Product>().SingleAsync(p => p.Id == product.Id)).Name = "renamed";
            await context.SaveChangesAsync();
        }

        Assert.That((await CacheHarness.FromDatabaseAsync(product.Id))?.Sku, Is.EqualTo(finalSku), "the later interceptor's change must be saved");
        foreach (var tier in harness.Caches)
        {
            Assert.That(await tier.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null, $"tier {tier.Name} still resolves the old SKU");
            Assert.That((await tier.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), finalSku)))?.Id, Is.Not.EqualTo(ghost.Id), $"tier {tier.Name} still maps the final SKU to a stale object");
        }

        Assert.That((await harness.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), finalSku)))?.Id, Is.EqualTo(product.Id));
        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku, finalSku);
    }

    [Test]
    public async Task SaveChanges_ManyRowsSomeMovingAlternateKey_EvictsOldKeysOfMovedRowsOnly()
    {
        var harness = new CacheHarness();
        var products = await harness.SeedCachedAsync([.. Enumerable.Range(0, 10).Select(_ => InterceptorChangeTests.NewProduct())]);

        await using (var context = harness.App.CreateDbContext())
        {
            var ids = products.Select(static p => p.Id).ToArray();
            var rows = await context.Set<Product>().Where(p => ids.Contains(p.Id)).OrderBy(static p => p.Id).ToListAsync();
            for (var i = 0; i < rows.Count; i++)
            {
                rows[i].Name = "renamed";
                if (i % 2 == 0)
                {
                    rows[i].Sku += "-moved";
                }
            }

            await context.SaveChangesAsync();
        }

        foreach (var product in products)
        {
            await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku, product.Sku + "-moved");
            Assert.That((await harness.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("renamed"));
        }
    }

    /// <summary>An audit-style interceptor that sets a unique value on every saved product, after Stockpile read the keys.</summary>
    private sealed class MoveSku(string sku) : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            foreach (var entry in eventData.Context!.ChangeTracker.Entries<Product>())
            {
                entry.Entity.Sku = sku;
            }

            return new(result);
        }
    }
}
