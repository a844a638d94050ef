using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Interception;

[TestFixture]
public sealed class InterceptorChangeTests
{
    private static int s_nextId = Random.Shared.Next(1_000, 1_000_000) * 100 + 200_000_000;

    internal static int NextId() => Interlocked.Increment(ref s_nextId);

    internal static Product NewProduct(int? id = null, string? sku = null)
    {
        var productId = id ?? NextId();
        return new Product { Id = productId, Sku = sku ?? $"I-{productId}", Name = $"N{productId}", Price = 1m };
    }

    [Test]
    public async Task SaveChanges_Insert_EvictsEveryNewKey()
    {
        var harness = new CacheHarness();
        var ghost = NewProduct();
        await harness.L1.PutAsync(ghost);
        await harness.L2.PutAsync(ghost);
        var product = NewProduct(sku: ghost.Sku);

        await using (var context = harness.App.CreateDbContext())
        {
            context.Add(product);
            await context.SaveChangesAsync();
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That(await tier.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), ghost.Sku)), Is.Null, $"tier {tier.Name} still maps the SKU to a stale object");
        }

        Assert.That((await harness.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), ghost.Sku)))?.Id, Is.EqualTo(product.Id));
    }

    [Test]
    public async Task SaveChanges_InsertWithWriteThrough_CachesCommittedCopy()
    {
        var harness = new CacheHarness(StockpileCommitPolicy.WriteThrough);
        var product = NewProduct();

        await using (var context = harness.App.CreateDbContext())
        {
            context.Add(product);
            await context.SaveChangesAsync();
        }

        foreach (var tier in harness.Caches)
        {
            var cached = await tier.GetAsync<Product, int>(product.Id);
            Assert.That(cached?.Name, Is.EqualTo(product.Name), $"tier {tier.Name}");
            Assert.That(cached, Is.Not.SameAs(product), "the tracked instance must never reach a cache");
        }
    }

    [TestCase(StockpileCommitPolicy.Evict)]
    [TestCase(StockpileCommitPolicy.WriteThrough)]
    public async Task SaveChanges_Update_NoTierServesOldState(StockpileCommitPolicy policy)
    {
        var harness = new CacheHarness(policy);
        var product = (await harness.SeedCachedAsync(NewProduct()))[0];

        await using (var context = harness.App.CreateDbContext())
        {
            var tracked = await context.Set<Product>().SingleAsync(p => p.Id == product.Id);
            tracked.Name = "updated";
            await context.SaveChangesAsync();
        }

        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
        if (policy == StockpileCommitPolicy.WriteThrough)
        {
            Assert.That((await harness.L2.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("updated"), "write-through re-reads a partial update and caches it");
        }
        else
        {
            Assert.That(await harness.L2.GetAsync<Product, int>(product.Id), Is.Null, "evict policy removes it");
        }

        Assert.That((await harness.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("updated"));
    }

    [Test]
    public async Task SaveChanges_WholeRowUpdateWithWriteThrough_CachesSavedStateWithoutQuery()
    {
        var harness = new CacheHarness(StockpileCommitPolicy.WriteThrough);
        var product = (await harness.SeedCachedAsync(NewProduct()))[0];
        var replacement = NewProduct(product.Id, product.Sku);
        replacement.Name = "replaced";
        replacement.Price = 42m;

        await using (var context = harness.App.CreateDbContext())
        {
            context.Update(replacement);
            await context.SaveChangesAsync();
        }

        var cached = await harness.L1.GetAsync<Product, int>(product.Id);
        Assert.That((cached?.Name, cached?.Price), Is.EqualTo(("replaced", (decimal?)42m)));
        Assert.That(cached, Is.Not.SameAs(replacement));
    }

    [Test]
    public async Task SaveChanges_Sync_UpdatesCachesBeforeReturning()
    {
        var harness = new CacheHarness(StockpileCommitPolicy.WriteThrough);
        var product = (await harness.SeedCachedAsync(NewProduct()))[0];

        using (var context = harness.App.CreateDbContext())
        {
            context.Set<Product>().Single(p => p.Id == product.Id).Price = 7m;
            context.SaveChanges();
        }

        Assert.That((await harness.L1.GetAsync<Product, int>(product.Id))?.Price, Is.EqualTo(7m));
    }

    [TestCase(StockpileCommitPolicy.Evict)]
    [TestCase(StockpileCommitPolicy.WriteThrough)]
    public async Task SaveChanges_Delete_EvictsEveryKey(StockpileCommitPolicy policy)
    {
        var harness = new CacheHarness(policy);
        var product = (await harness.SeedCachedAsync(NewProduct()))[0];

        await using (var context = harness.App.CreateDbContext())
        {
            context.Remove(await context.Set<Product>().SingleAsync(p => p.Id == product.Id));
            await context.SaveChangesAsync();
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That(await tier.GetAsync<Product, int>(product.Id), Is.Null, $"tier {tier.Name}");
            Assert.That(await tier.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null, $"tier {tier.Name}");
        }
    }

    [TestCase(StockpileCommitPolicy.Evict)]
    [TestCase(StockpileCommitPolicy.WriteThrough)]
    public async Task SaveChanges_AlternateKeyChanged_EvictsOldKey(StockpileCommitPolicy policy)
    {
        var harness = new CacheHarness(policy);
        var product = (await harness.SeedCachedAsync(NewProduct()))[0];
        var newSku = product.Sku + "-moved";

        await using (var context = harness.App.CreateDbContext())
        {
            (await context.Set<Product>().SingleAsync(p => p.Id == product.Id)).Sku = newSku;
            await context.SaveChangesAsync();
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That(await tier.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null, $"tier {tier.Name} still resolves the old SKU");
        }

        Assert.That(await harness.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);
        Assert.That((await harness.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), newSku)))?.Id, Is.EqualTo(product.Id));
        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku, newSku);
    }

    [Test]
    public async Task SaveChanges_CacheFailsAfterCommit_SaveSucceedsAndDataIsCommitted()
    {
        var flaky = new FaultyStore("flaky");
        var harness = new CacheHarness(top: flaky);
        var product = (await harness.SeedCachedAsync(NewProduct()))[0];
        flaky.FailDeletes = true;

        await using (var context = harness.App.CreateDbContext())
        {
            (await context.Set<Product>().SingleAsync(p => p.Id == product.Id)).Name = "committed";
            Assert.DoesNotThrowAsync(async () => await context.SaveChangesAsync());
        }

        Assert.That((await CacheHarness.FromDatabaseAsync(product.Id))?.Name, Is.EqualTo("committed"));
        Assert.That(await harness.L2.GetAsync<Product, int>(product.Id), Is.Null, "the tiers that work are still evicted");
    }

    [Test]
    public async Task SaveChanges_PolicyForUnmappedType_ThrowsNamingTypeAndContextBeforeWriting()
    {
        var harness = new CacheHarness(configure: o => o.SetPolicy<Gadget>(StockpileCommitPolicy.WriteThrough));
        var product = NewProduct();

        await using var context = harness.App.CreateDbContext();
        context.Add(product);
        var ex = Assert.ThrowsAsync<StockpileMappingException>(async () => await context.SaveChangesAsync());

        Assert.That(ex!.EntityType, Is.EqualTo(typeof(Gadget)));
        Assert.That(ex.ContextType, Is.EqualTo(typeof(TestDbContext)));
        Assert.That(ex.Message, Does.Contain("Gadget").And.Contain(nameof(TestDbContext)).And.Contain("not mapped"));
        Assert.That(await CacheHarness.FromDatabaseAsync(product.Id), Is.Null);
    }

    [Test]
    public async Task InvalidationApi_ByEntityKeyAndType_EvictsFromEveryCacheTier()
    {
        var harness = new CacheHarness();
        var products = await harness.SeedCachedAsync(NewProduct(), NewProduct(), NewProduct());
        await CacheHarness.Database.ExecuteAsync($"UPDATE \"Products\" SET \"Name\" = 'raw' WHERE \"Id\" IN ({products[0].Id}, {products[1].Id}, {products[2].Id})");

        await harness.Chain.InvalidateEntityAsync(products[0]);
        await harness.Chain.InvalidateKeyAsync(EntityKey.Of<Product>(nameof(Product.Sku), products[1].Sku));

        Assert.That((await harness.Chain.GetAsync<Product, int>(products[0].Id))?.Name, Is.EqualTo("raw"));
        Assert.That((await harness.Chain.GetAsync<Product, int>(products[1].Id))?.Name, Is.EqualTo("raw"));
        Assert.That((await harness.Chain.GetAsync<Product, int>(products[2].Id))?.Name, Is.Not.EqualTo("raw"), "not invalidated yet: the raw update bypassed the interceptor");

        await harness.Chain.InvalidateTypeAsync<Product>();

        Assert.That((await harness.Chain.GetAsync<Product, int>(products[2].Id))?.Name, Is.EqualTo("raw"));
    }
}
