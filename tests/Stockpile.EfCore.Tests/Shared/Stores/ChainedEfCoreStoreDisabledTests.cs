using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Stores;

/// <summary>Issue 10: inside <see cref="StockpileCaching.Disable"/>, entity reads go straight to the database.</summary>
[TestFixture]
public sealed class ChainedEfCoreStoreDisabledTests
{
    private static int s_nextId = (Random.Shared.Next(1_000, 1_000_000) * 100) + 1_000_000_000;

    [Test]
    public async Task GetAsync_InsideScope_QueriesTheDatabaseEvenWhenMemoryHoldsTheRow()
    {
        var commands = new CommandCounter();
        var database = TestDatabase.Current.Factory<TestDbContext>(commands);
        var memory = new MemoryStore();
        var chain = new ChainedStore([memory, new EfCoreStore<TestDbContext>(database)]);
        var id = Interlocked.Increment(ref s_nextId);
        await chain.PutAsync(new Product { Id = id, Sku = $"D-{id}", Name = "cached", Price = 1m });
        await using (var context = database.CreateDbContext())
        {
            await context.Products.Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "in the database"));
        }

        commands.Reset();
        Product? read;
        using (StockpileCaching.Disable())
        {
            read = await chain.GetAsync<Product, int>(id);
        }

        Assert.That(read?.Name, Is.EqualTo("in the database"));
        Assert.That(commands.Count, Is.EqualTo(1), "one query, although the memory tier holds the row");
        Assert.That((await memory.GetAsync<Product, int>(id))?.Name, Is.EqualTo("cached"), "nothing is back-filled");
        Assert.That((await chain.GetAsync<Product, int>(id))?.Name, Is.EqualTo("cached"), "outside the scope memory answers again");
        Assert.That(commands.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task SaveChangesAsync_WriteThroughInsideScope_EvictsTheRowInsteadOfCachingIt()
    {
        var memory = new MemoryStore();
        var chain = new ChainedStore([memory, new EfCoreStore<TestDbContext>(TestDatabase.Current.Factory<TestDbContext>())]);
        var app = TestDatabase.Current.Factory<TestDbContext>(b => b.AddStockpileInterceptor(chain, o => o.DefaultPolicy = StockpileCommitPolicy.WriteThrough));
        var id = Interlocked.Increment(ref s_nextId);
        await chain.PutAsync(new Product { Id = id, Sku = $"D-{id}", Name = "cached", Price = 1m });

        using (StockpileCaching.Disable())
        {
            await using var context = app.CreateDbContext();
            var product = await context.Products.SingleAsync(p => p.Id == id);
            product.Name = "saved";
            await context.SaveChangesAsync();
        }

        Assert.That(await memory.GetAsync<Product, int>(id), Is.Null, "the commit evicts and stores nothing");
        Assert.That((await chain.GetAsync<Product, int>(id))?.Name, Is.EqualTo("saved"));
    }
}
