using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>Issue 7, item 11: entities loaded through lazy-loading proxies are filed, found and evicted under the entity type, never the proxy type.</summary>
[TestFixture]
public sealed class Issue7ProxyTests
{
    private static async Task<(ChainHarness<ProxyDbContext> Harness, Shelf Shelf)> SeedAsync()
    {
        var harness = await ChainHarness<ProxyDbContext>.CreateAsync(configure: b => b.UseLazyLoadingProxies());
        var id = Issue7OwnedTypeTests.NextId();
        var shelf = new Shelf { Id = id, Code = $"SH-{id}", Name = "first" };
        await using var context = harness.Plain.CreateDbContext();
        context.Add(shelf);
        context.Add(new Book { Id = id, ShelfId = id, Title = "a book" });
        await context.SaveChangesAsync();
        return (harness, shelf);
    }

    [Test]
    public async Task ChainGet_ProxyFromTheDatabase_FiledUnderTheEntityType()
    {
        var (harness, shelf) = await SeedAsync();

        var loaded = await harness.Chain.GetAsync<Shelf, int>(shelf.Id);

        Assert.That(loaded?.GetType(), Is.Not.EqualTo(typeof(Shelf)), "the premise: the store returns a proxy");
        Assert.That(EntityKey.FromEntity(loaded!).EntityType.ClrType, Is.EqualTo(typeof(Shelf)));
        foreach (var tier in harness.Caches)
        {
            Assert.That((await tier.GetAsync<Shelf, int>(shelf.Id))?.Name, Is.EqualTo("first"), $"tier '{tier.Name}' by id");
            Assert.That((await tier.GetAsync<Shelf>(EntityKey.Of<Shelf>(nameof(Shelf.Code), shelf.Code)))?.Id, Is.EqualTo(shelf.Id), $"tier '{tier.Name}' by code");
        }
    }

    [Test]
    public async Task SaveChanges_ProxyChanged_EvictedUnderTheEntityType()
    {
        var (harness, shelf) = await SeedAsync();
        await harness.Chain.GetAsync<Shelf, int>(shelf.Id);

        await using (var context = harness.App.CreateDbContext())
        {
            var tracked = await context.Set<Shelf>().SingleAsync(s => s.Id == shelf.Id);
            Assert.That(tracked.GetType(), Is.Not.EqualTo(typeof(Shelf)), "the premise: the context tracks a proxy");
            tracked.Name = "second";
            await context.SaveChangesAsync();
        }

        foreach (var tier in harness.Caches)
        {
            Assert.That((await tier.GetAsync<Shelf, int>(shelf.Id))?.Name, Is.Null.Or.EqualTo("second"), $"tier '{tier.Name}' is stale");
        }

        Assert.That((await harness.Chain.GetAsync<Shelf, int>(shelf.Id))?.Name, Is.EqualTo("second"));
    }

    [Test]
    public async Task ChainPutAndDelete_ProxyInstance_FiledAndEvictedUnderTheEntityType()
    {
        var (harness, shelf) = await SeedAsync();
        Shelf proxy;
        await using (var context = harness.Plain.CreateDbContext())
        {
            proxy = await context.Set<Shelf>().SingleAsync(s => s.Id == shelf.Id);
            proxy.Name = "put";

            // Copying tiers serialize what they store: with lazy loading on, Books (and each book's Shelf) would load as they are read.
            context.ChangeTracker.LazyLoadingEnabled = false;
            await harness.Chain.PutAsync(proxy);
        }

        Assert.That((await harness.L1.GetAsync<Shelf, int>(shelf.Id))?.Name, Is.EqualTo("put"));
        Assert.That((await harness.Source.GetAsync<Shelf, int>(shelf.Id))?.Name, Is.EqualTo("put"));

        Assert.That(await harness.Chain.DeleteAsync(EntityKey.FromEntity(proxy)), Is.True);
        foreach (var tier in harness.Caches)
        {
            Assert.That(await tier.GetAsync<Shelf, int>(shelf.Id), Is.Null, $"tier '{tier.Name}'");
        }
    }
}
