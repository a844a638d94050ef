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

    public enum LaterChange
    {
        Rename,
        Delete,
    }

    /// <summary>
    /// Session 8: the capture moved from Stockpile's <c>SavingChanges</c> to the end of EF Core's own change detection.
    /// A row an interceptor registered after Stockpile's changes in <c>SavingChanges</c>, though the application left it
    /// unchanged, is saved too; before, the capture had already run and never saw it, and every tier kept the old row.
    /// </summary>
    [Test]
    public async Task SaveChanges_LaterInterceptorChangesAnUnchangedRow_ThatRowIsEvictedToo([Values] LaterChange change)
    {
        var harness = new CacheHarness();
        var products = await harness.SeedCachedAsync(InterceptorChangeTests.NewProduct(), InterceptorChangeTests.NewProduct());
        var (changed, touched) = (products[0], products[1]);
        var app = CacheHarness.Database.Factory<TestDbContext>(b => b.AddStockpileInterceptor(harness.Chain).AddInterceptors(new TouchOther(touched.Id, change)));

        await using (var context = app.CreateDbContext())
        {
            await context.Set<Product>().Where(p => p.Id == changed.Id || p.Id == touched.Id).ToListAsync();
            context.Set<Product>().Local.Single(p => p.Id == changed.Id).Name = "renamed";
            await context.SaveChangesAsync();
        }

        var saved = await CacheHarness.FromDatabaseAsync(touched.Id);
        Assert.That(change == LaterChange.Delete ? saved is null : saved?.Name == "touched", Is.True, "the premise: the later interceptor's change was saved");
        await harness.AssertCachesMatchDatabaseAsync(touched.Id, touched.Sku);
        await harness.AssertCachesMatchDatabaseAsync(changed.Id, changed.Sku);
        Assert.That((await harness.Chain.GetAsync<Product, int>(touched.Id))?.Name, Is.EqualTo(saved?.Name));
    }

    /// <summary>
    /// With automatic change detection off, EF Core detects nothing during the save: the capture runs in Stockpile's own
    /// <c>SavingChanges</c>, and sees what the application marked.
    /// </summary>
    [Test]
    public async Task SaveChanges_AutoDetectChangesOff_MarkedChangesEvicted()
    {
        var harness = new CacheHarness();
        var products = await harness.SeedCachedAsync(InterceptorChangeTests.NewProduct(), InterceptorChangeTests.NewProduct());

        await using (var context = harness.App.CreateDbContext())
        {
            context.ChangeTracker.AutoDetectChangesEnabled = false;
            var rows = await context.Set<Product>().Where(p => p.Id == products[0].Id || p.Id == products[1].Id).ToListAsync();
            context.Entry(rows.Single(p => p.Id == products[0].Id)).Property(p => p.Name).CurrentValue = "renamed";
            context.Remove(rows.Single(p => p.Id == products[1].Id));
            await context.SaveChangesAsync();
        }

        Assert.That(await CacheHarness.FromDatabaseAsync(products[1].Id), Is.Null, "the premise: the delete was saved");
        await harness.AssertCachesMatchDatabaseAsync(products[0].Id, products[0].Sku);
        await harness.AssertCachesMatchDatabaseAsync(products[1].Id, products[1].Sku);
        Assert.That((await harness.Chain.GetAsync<Product, int>(products[0].Id))?.Name, Is.EqualTo("renamed"));
    }

    /// <summary>
    /// A model whose types all notify their changes: EF Core detects nothing during the save (and raises no detection
    /// event), so the capture runs in Stockpile's own <c>SavingChanges</c>.
    /// </summary>
    [Test]
    public async Task SaveChanges_ModelWithoutSnapshots_ChangesEvicted()
    {
        var harness = await ChainHarness<NotifyingDbContext>.CreateAsync();
        var (id, gone) = (Issue7OwnedTypeTests.NextId(), Issue7OwnedTypeTests.NextId());
        await harness.Source.PutManyAsync([new Lamp { Id = id, Name = "first" }, new Lamp { Id = gone, Name = "doomed" }]);
        await harness.Chain.GetManyAsync<Lamp, int>([id, gone]);
        Assert.That(await harness.L2.GetAsync<Lamp, int>(gone), Is.Not.Null, "the premise: the caches hold the lamps");

        await using (var context = harness.App.CreateDbContext())
        {
            var lamps = await context.Set<Lamp>().Where(l => l.Id == id || l.Id == gone).ToListAsync();
            lamps.Single(l => l.Id == id).Name = "second";
            context.Remove(lamps.Single(l => l.Id == gone));
            await context.SaveChangesAsync();
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That((await tier.GetAsync<Lamp, int>(id))?.Name, Is.Null.Or.EqualTo("second"), $"tier '{tier.Name}' is stale");
            Assert.That(await tier.GetAsync<Lamp, int>(gone), Is.Null, $"tier '{tier.Name}' serves a deleted lamp");
        }

        Assert.That((await harness.Chain.GetAsync<Lamp, int>(id))?.Name, Is.EqualTo("second"));
        Assert.That(await harness.Chain.GetAsync<Lamp, int>(gone), Is.Null);
    }

    /// <summary>
    /// A change detected outside a save (the application asking <c>ChangeTracker.HasChanges()</c>, say) captures nothing:
    /// only the detection inside <c>SaveChanges</c> does, and the save evicts what it wrote, once.
    /// </summary>
    [Test]
    public async Task SaveChanges_DetectionBeforeTheSave_CapturesOnlyInTheSave()
    {
        var harness = new CacheHarness();
        var product = (await harness.SeedCachedAsync(InterceptorChangeTests.NewProduct()))[0];

        await using (var context = harness.App.CreateDbContext())
        {
            var tracked = await context.Set<Product>().SingleAsync(p => p.Id == product.Id);
            tracked.Name = "first";
            Assert.That(context.ChangeTracker.HasChanges(), Is.True);
            Assert.That(await harness.L1.GetAsync<Product, int>(product.Id), Is.Not.Null, "a detection outside a save evicts nothing");
            tracked.Name = "second";
            await context.SaveChangesAsync();
            tracked.Name = "third";
            Assert.That(context.ChangeTracker.HasChanges(), Is.True);
        }

        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku);
        Assert.That((await harness.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("second"));
    }

    /// <summary>An interceptor registered after Stockpile's that renames or deletes a row the application did not change.</summary>
    private sealed class TouchOther(int id, LaterChange change) : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            var context = eventData.Context!;
            var other = context.Set<Product>().Local.Single(p => p.Id == id);
            if (change == LaterChange.Delete)
            {
                context.Remove(other);
            }
            else
            {
                // A plain property write: EF Core's own detection, after every SavingChanges interceptor, finds it.
                other.Name = "touched";
            }

            return new(result);
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
