using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Interception;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 8: an <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> whose predicate is on a key of the entity evicts exactly the
/// affected keys from every tier (other cached rows of the type stay cached); any other predicate drops the type.
/// </summary>
[TestFixture]
public sealed class Issue8BulkKeyEvictionTests
{
    private static async Task<(CacheHarness Harness, Product[] Products)> SeedAsync(int count = 2)
    {
        var harness = new CacheHarness();
        var products = await harness.SeedCachedAsync([.. Enumerable.Range(0, count).Select(_ => InterceptorChangeTests.NewProduct())]);
        return (harness, [.. products]);
    }

    /// <summary>Asserts which products every cache tier still holds: the evicted ones are gone, the others were not touched.</summary>
    private static async Task AssertCachedAsync(CacheHarness harness, IEnumerable<Product> evicted, IEnumerable<Product> kept)
    {
        foreach (var tier in harness.Caches)
        {
            foreach (var product in evicted)
            {
                Assert.That(await tier.GetAsync<Product, int>(product.Id), Is.Null, $"tier '{tier.Name}' still holds product {product.Id}");
            }

            foreach (var product in kept)
            {
                Assert.That(await tier.GetAsync<Product, int>(product.Id), Is.Not.Null, $"tier '{tier.Name}' dropped product {product.Id}, which the statement did not touch");
            }
        }

        foreach (var product in evicted.Concat(kept))
        {
            await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ExecuteUpdate_PrimaryKeyParameter_EvictsOnlyThatRow(bool async)
    {
        var (harness, products) = await SeedAsync();
        var id = products[0].Id;

        await using (var context = harness.App.CreateDbContext())
        {
            var rows = context.Set<Product>().Where(p => p.Id == id);
            var updated = async
                ? await rows.ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "bulk"))
                : rows.ExecuteUpdate(s => s.SetProperty(p => p.Name, "bulk"));
            Assert.That(updated, Is.EqualTo(1));
        }

        await AssertCachedAsync(harness, [products[0]], [products[1]]);
        Assert.That((await harness.Chain.GetAsync<Product, int>(id))?.Name, Is.EqualTo("bulk"));
    }

    [Test]
    public async Task ExecuteUpdate_SameShapeTwice_EvictsEachRunsOwnRow()
    {
        var (harness, products) = await SeedAsync(3);

        foreach (var (product, index) in products.Take(2).Select((p, i) => (p, i)))
        {
            var id = product.Id;
            await using var context = harness.App.CreateDbContext();
            await context.Set<Product>().Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "bulk"));
            await AssertCachedAsync(harness, products.Take(index + 1), products.Skip(index + 1));
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ExecuteDelete_AlternateKeyParameter_EvictsOnlyThatRow(bool async)
    {
        var (harness, products) = await SeedAsync();
        var sku = products[1].Sku;

        await using (var context = harness.App.CreateDbContext())
        {
            var rows = context.Set<Product>().Where(p => p.Sku == sku);
            Assert.That(async ? await rows.ExecuteDeleteAsync() : rows.ExecuteDelete(), Is.EqualTo(1));
        }

        await AssertCachedAsync(harness, [products[1]], [products[0]]);
        Assert.That(await harness.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), sku)), Is.Null);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task ExecuteUpdate_IdsContains_EvictsOnlyThoseRows(bool async)
    {
        var (harness, products) = await SeedAsync(4);
        var ids = new[] { products[0].Id, products[2].Id };
        var list = new List<int>(ids);

        await using (var context = harness.App.CreateDbContext())
        {
            var rows = async ? context.Set<Product>().Where(p => ids.Contains(p.Id)) : context.Set<Product>().Where(p => list.Contains(p.Id));
            var updated = async
                ? await rows.ExecuteUpdateAsync(s => s.SetProperty(p => p.Price, 2m))
                : rows.ExecuteUpdate(s => s.SetProperty(p => p.Price, 2m));
            Assert.That(updated, Is.EqualTo(2));
        }

        await AssertCachedAsync(harness, [products[0], products[2]], [products[1], products[3]]);
    }

    [Test]
    public async Task ExecuteDelete_ConstantKeyAndOtherTerm_EvictsOnlyThatRow()
    {
        var (harness, products) = await SeedAsync();
        var row = Expression.Parameter(typeof(Product), "p");
        var predicate = Expression.Lambda<Func<Product, bool>>(
            Expression.AndAlso(
                Expression.Equal(Expression.Property(row, nameof(Product.Id)), Expression.Constant(products[0].Id)),
                Expression.GreaterThan(Expression.Property(row, nameof(Product.Price)), Expression.Constant(0m))),
            row);

        await using (var context = harness.App.CreateDbContext())
        {
            Assert.That(await context.Set<Product>().Where(predicate).ExecuteDeleteAsync(), Is.EqualTo(1));
        }

        await AssertCachedAsync(harness, [products[0]], [products[1]]);
    }

    [Test]
    public async Task ExecuteUpdate_KeyPredicateInTransaction_EvictsAtCommitOnly()
    {
        var (harness, products) = await SeedAsync();
        var id = products[0].Id;

        await using (var context = harness.App.CreateDbContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Set<Product>().Where(p => p.Id == id).ExecuteUpdate(s => s.SetProperty(p => p.Name, "bulk"));
            Assert.That(await harness.L1.GetAsync<Product, int>(id), Is.Not.Null, "nothing is evicted before the commit");
            await transaction.CommitAsync();
        }

        await AssertCachedAsync(harness, [products[0]], [products[1]]);
    }

    [Test]
    public async Task ExecuteDelete_KeyPredicateRolledBack_EvictsNothing()
    {
        var (harness, products) = await SeedAsync();
        var id = products[0].Id;

        await using (var context = harness.App.CreateDbContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            await context.Set<Product>().Where(p => p.Id == id).ExecuteDeleteAsync();
            await transaction.RollbackAsync();
        }

        await AssertCachedAsync(harness, [], products);
    }

    [Test]
    public async Task ExecuteUpdate_NonKeyPredicate_DropsTheType()
    {
        var (harness, products) = await SeedAsync();
        var name = products[0].Name;

        await using (var context = harness.App.CreateDbContext())
        {
            await context.Set<Product>().Where(p => p.Name == name).ExecuteUpdateAsync(s => s.SetProperty(p => p.Price, 3m));
        }

        await AssertCachedAsync(harness, products, []);
    }

    [Test]
    public async Task ExecuteUpdate_KeyOrOtherTerm_DropsTheType()
    {
        var (harness, products) = await SeedAsync();
        var id = products[0].Id;

        await using (var context = harness.App.CreateDbContext())
        {
            await context.Set<Product>().Where(p => p.Id == id || p.Name == "none").ExecuteUpdateAsync(s => s.SetProperty(p => p.Price, 3m));
        }

        await AssertCachedAsync(harness, products, []);
    }

    [Test]
    public async Task ExecuteUpdate_SetterChangesAKey_DropsTheType()
    {
        var (harness, products) = await SeedAsync();
        var id = products[0].Id;
        var oldSku = products[0].Sku;

        await using (var context = harness.App.CreateDbContext())
        {
            await context.Set<Product>().Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Sku, "moved-" + id));
        }

        await AssertCachedAsync(harness, products, []);
        await harness.AssertCachesMatchDatabaseAsync(id, oldSku, "moved-" + id);
    }

    [Test]
    public async Task ExecuteUpdate_AfterAKeyStatementFailedToTranslate_CachedOtherPredicateDropsTheType()
    {
        var (harness, products) = await SeedAsync();
        var id = products[0].Id;
        var name = products[1].Name;
        Task<int> UpdateOthersAsync(DbContext context, decimal price) =>
            context.Set<Product>().Where(p => p.Id != id && p.Name == name).ExecuteUpdateAsync(s => s.SetProperty(p => p.Price, price));
        Task<int> UpdateUntranslatableAsync(DbContext context, decimal price) =>
            context.Set<Product>().Where(p => p.Id == id && Untranslatable(p.Name)).ExecuteUpdateAsync(s => s.SetProperty(p => p.Price, price));

        await using (var warm = harness.App.CreateDbContext())
        {
            // Compiles (and caches) the shape the failed statement's plan could be mistaken for.
            await UpdateOthersAsync(warm, 5m);
        }

        await harness.Chain.GetManyAsync<Product, int>(products.Select(p => p.Id));
        await using (var context = harness.App.CreateDbContext())
        {
            // The plan (Id pinned by the parameter the next statement also uses) is made, then translation fails.
            Assert.ThrowsAsync<InvalidOperationException>(() => UpdateUntranslatableAsync(context, 6m));
            Assert.That(await UpdateOthersAsync(context, 7m), Is.EqualTo(1));
        }

        await AssertCachedAsync(harness, products, []);
    }

    private static bool Untranslatable(string name) => name.Length > 0;
}
