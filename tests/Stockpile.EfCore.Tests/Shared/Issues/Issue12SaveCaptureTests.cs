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
/// moves itself is evicted under the old one. Session 9 reads original values only for keys EF Core lets change, keeps
/// the keys read at EF Core's detection as final when the save generates none, and lists the original keys apart only
/// when one differs: the tests below it guard a deleted row, a cleared key and a composite key.
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

    /// <summary>
    /// Session 9: a deleted row's keys are read from its original values, never from what the application changed before
    /// it removed the row (the database still files it under the old SKU until the delete commits). A tier that files
    /// another object under the old SKU (a stale one: the database has none there after the delete) loses it.
    /// </summary>
    [Test]
    public async Task SaveChanges_RowDeletedAfterItsSkuMoved_EvictsTheOldSku()
    {
        var harness = new CacheHarness();
        var product = (await harness.SeedCachedAsync(InterceptorChangeTests.NewProduct()))[0];
        await PutGhostAsync(harness, InterceptorChangeTests.NewProduct(sku: product.Sku));

        await using (var context = harness.App.CreateDbContext())
        {
            var tracked = await context.Set<Product>().SingleAsync(p => p.Id == product.Id);
            tracked.Sku += "-moved";
            context.Remove(tracked);
            await context.SaveChangesAsync();
        }

        Assert.That(await CacheHarness.FromDatabaseAsync(product.Id), Is.Null, "the premise: the delete was saved");
        foreach (var tier in harness.Caches)
        {
            Assert.That(await tier.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null, $"tier {tier.Name} still resolves the deleted row's SKU");
        }

        await harness.AssertCachesMatchDatabaseAsync(product.Id, product.Sku, product.Sku + "-moved");
    }

    /// <summary>
    /// Session 9: when a nullable alternate key becomes null the row has fewer current keys than original ones; the
    /// original e-mail is still evicted (the capture lists the keys apart from the current look-ups then): a tier that
    /// files another, stale customer under it loses it.
    /// </summary>
    [Test]
    public async Task SaveChanges_AlternateKeyCleared_EvictsTheOldAlternateKey()
    {
        var harness = new CacheHarness();
        var code = $"C-{Issue7OwnedTypeTests.NextId()}";
        var email = code + "@example.com";
        await harness.Source.PutAsync(new Customer { Code = code, Email = email, Name = "first" });
        await harness.Chain.GetAsync<Customer>(EntityKey.For<Customer>(code));
        await PutGhostAsync(harness, new Customer { Code = code + "-ghost", Email = email, Name = "ghost" });

        await using (var context = harness.App.CreateDbContext())
        {
            var tracked = await context.Set<Customer>().SingleAsync(c => c.Code == code);
            tracked.Email = null;
            tracked.Name = "second";
            await context.SaveChangesAsync();
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That(await tier.GetAsync<Customer>(EntityKey.Of<Customer>(nameof(Customer.Email), email)), Is.Null, $"tier {tier.Name} still resolves the cleared e-mail");
            Assert.That((await tier.GetAsync<Customer>(EntityKey.For<Customer>(code)))?.Name, Is.Null.Or.EqualTo("second"), $"tier {tier.Name} serves a stale customer");
        }

        Assert.That(await harness.Chain.GetAsync<Customer>(EntityKey.Of<Customer>(nameof(Customer.Email), email)), Is.Null);
        Assert.That((await harness.Chain.GetAsync<Customer>(EntityKey.For<Customer>(code)))?.Name, Is.EqualTo("second"));
    }

    /// <summary>
    /// Session 9: a composite primary key that EF Core keeps read-only is taken from the current values of a detected
    /// update without reading the original ones; the row's other key, moved in the same save, is still evicted under
    /// its old value (a tier's stale line under it is dropped), and the row by its composite key is evicted too.
    /// </summary>
    [Test]
    public async Task SaveChanges_CompositeKeyRowMovesItsAlternateKey_EvictsOldAlternateAndCompositeKeys()
    {
        var harness = new CacheHarness();
        var orderId = Issue7OwnedTypeTests.NextId();
        var (oldLineId, newLineId) = (Guid.NewGuid(), Guid.NewGuid());
        await harness.Source.PutAsync(new OrderLine { OrderId = orderId, LineNumber = 1, LineId = oldLineId, Product = "first", Quantity = 1 });
        await harness.Chain.GetAsync<OrderLine>(EntityKey.For<OrderLine>(orderId, 1));
        await PutGhostAsync(harness, new OrderLine { OrderId = orderId, LineNumber = 2, LineId = oldLineId, Product = "ghost", Quantity = 9 });

        await using (var context = harness.App.CreateDbContext())
        {
            var tracked = await context.Set<OrderLine>().SingleAsync(l => l.OrderId == orderId && l.LineNumber == 1);
            tracked.LineId = newLineId;
            tracked.Quantity = 2;
            await context.SaveChangesAsync();
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That(await tier.GetAsync<OrderLine>(EntityKey.Of<OrderLine>(nameof(OrderLine.LineId), oldLineId)), Is.Null, $"tier {tier.Name} still resolves the old line id");
            Assert.That((await tier.GetAsync<OrderLine>(EntityKey.For<OrderLine>(orderId, 1)))?.Quantity, Is.Null.Or.EqualTo(2), $"tier {tier.Name} serves a stale line by its composite key");
        }

        Assert.That((await harness.Chain.GetAsync<OrderLine>(EntityKey.For<OrderLine>(orderId, 1)))?.LineId, Is.EqualTo(newLineId));
        Assert.That((await harness.Chain.GetAsync<OrderLine>(EntityKey.Of<OrderLine>(nameof(OrderLine.LineId), newLineId)))?.Quantity, Is.EqualTo(2));
    }

    /// <summary>
    /// Files a stale object in both cache tiers under a key the save's row holds before it (the database never has it):
    /// a tier drops it only when the save evicts that key itself, since evicting the row by its primary key removes only
    /// the row's own entries.
    /// </summary>
    private static async Task PutGhostAsync<T>(CacheHarness harness, T ghost)
        where T : class
    {
        await harness.L1.PutAsync(ghost);
        await harness.L2.PutAsync(ghost);
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
