using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Stores;

/// <summary>The size limit holds at every moment, and eviction (CLOCK) prefers objects not hit since the hand last passed.</summary>
[TestFixture]
public sealed class MemoryStoreSizeLimitTests
{
    [Test]
    public async Task PutAsync_TenTimesTheLimit_CountNeverExceedsIt()
    {
        const int limit = 50;
        var store = new MemoryStore(new MemoryStoreOptions { SizeLimit = limit });

        for (var id = 0; id < limit * 10; id++)
        {
            await store.PutAsync(NewProduct(id));
            if (id % 3 == 0)
            {
                await store.GetAsync<Product, int>(id / 2);
            }

            Assert.That(store.Count, Is.LessThanOrEqualTo(limit), $"after put {id}");
        }

        var found = (await store.GetManyAsync<Product, int>(Enumerable.Range(0, limit * 10))).Count(p => p is not null);
        Assert.That(found, Is.EqualTo(limit));
    }

    [Test]
    public async Task PutAsync_OverLimit_RecentlyHitOutliveCold()
    {
        var store = new MemoryStore(new MemoryStoreOptions { SizeLimit = 10 });
        await store.PutManyAsync(Enumerable.Range(0, 10).Select(NewProduct));
        for (var hot = 0; hot < 5; hot++)
        {
            await store.GetAsync<Product, int>(hot);
        }

        await store.PutManyAsync(Enumerable.Range(10, 5).Select(NewProduct));

        var present = await Present(store, 15);
        Assert.That(present, Is.EqualTo(new[] { 0, 1, 2, 3, 4, 10, 11, 12, 13, 14 }));
    }

    [Test]
    public async Task PutAsync_AllResidentsRecentlyHit_KeepsTheNewObject()
    {
        var store = new MemoryStore(new MemoryStoreOptions { SizeLimit = 3 });
        await store.PutManyAsync(Enumerable.Range(0, 3).Select(NewProduct));
        for (var id = 0; id < 3; id++)
        {
            await store.GetAsync<Product, int>(id);
        }

        await store.PutAsync(NewProduct(3));

        Assert.That(await store.GetAsync<Product, int>(3), Is.Not.Null, "the object just put must not be the one evicted");
        Assert.That(store.Count, Is.EqualTo(3));
    }

    [Test]
    public async Task PutAsync_Evicted_MissesByAlternateKeyToo()
    {
        var store = new MemoryStore(new MemoryStoreOptions { SizeLimit = 1 });
        await store.PutAsync(NewProduct(1));

        await store.PutAsync(NewProduct(2));

        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "SKU-1")), Is.Null);
        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "SKU-2")), Is.Not.Null);
    }

    [Test]
    public void Constructor_SizeLimitBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new MemoryStore(new MemoryStoreOptions { SizeLimit = 0 }));
    }

    [Test]
    public async Task SizeLimit_Null_IsUnbounded()
    {
        var store = new MemoryStore(new MemoryStoreOptions { SizeLimit = null });

        await store.PutManyAsync(Enumerable.Range(0, 1000).Select(NewProduct));

        Assert.That(store.Count, Is.EqualTo(1000));
    }

    private static async Task<int[]> Present(MemoryStore store, int upTo)
    {
        var found = await store.GetManyAsync<Product, int>(Enumerable.Range(0, upTo));
        return [.. found.Where(p => p is not null).Select(p => p!.Id).Order()];
    }

    private static Product NewProduct(int id) => new() { Id = id, Sku = $"SKU-{id}", Name = $"Product {id}" };
}
