using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

/// <summary>Each key value belongs to at most one object, the newest write wins it, and a delete only ever removes the object that owns the key now.</summary>
[TestFixture]
public sealed class MemoryStoreKeyOwnershipTests
{
    [Test]
    public async Task PutAsync_AlternateKeyOfAnotherObject_EvictsThatObjectEntirely()
    {
        var store = new MemoryStore();
        await store.PutAsync(TestProducts.New(1, sku: "X"));
        var b = TestProducts.New(2, sku: "X");

        await store.PutAsync(b);

        Assert.That(await store.GetAsync<Product, int>(1), Is.Null, "A must not stay reachable by its primary key");
        Assert.That(await store.GetAsync<Product>(TestProducts.BySku("X")), Is.SameAs(b));
        Assert.That(store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task DeleteAsync_DisplacedObject_LeavesTheNewOwner()
    {
        var store = new MemoryStore();
        var a = TestProducts.New(1, sku: "X");
        await store.PutAsync(a);
        var b = TestProducts.New(2, sku: "X");
        await store.PutAsync(b);

        Assert.That(await store.DeleteAsync(EntityKey.For<Product>(1)), Is.False);
        Assert.That(await store.DeleteAsync(a), Is.False);

        Assert.That(await store.GetAsync<Product, int>(2), Is.SameAs(b));
        Assert.That(await store.GetAsync<Product>(TestProducts.BySku("X")), Is.SameAs(b));
    }

    [Test]
    public async Task DeleteAsync_ByAlternateKeyTheObjectGaveUp_Misses()
    {
        var store = new MemoryStore();
        await store.PutAsync(TestProducts.New(1, sku: "X"));
        var moved = TestProducts.New(1, sku: "Y");
        await store.PutAsync(moved);

        Assert.That(await store.DeleteAsync(TestProducts.BySku("X")), Is.False);

        Assert.That(await store.GetAsync<Product, int>(1), Is.SameAs(moved));
    }

    [TestCase(null)]
    [TestCase(6)]
    public async Task ConcurrentPutGetDelete_OverlappingKeys_KeepEveryKeyWithOneOwner(int? sizeLimit)
    {
        const int ids = 16;
        const int skus = 6;
        var store = new MemoryStore(new MemoryStoreOptions { SizeLimit = sizeLimit });
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var op = 0; op < 3_000; op++)
            {
                var id = random.Next(ids);
                var sku = $"S{random.Next(skus)}";
                switch (random.Next(10))
                {
                    case < 4:
                        await store.PutAsync(TestProducts.New(id, sku: sku));
                        break;
                    case 4:
                        await store.PutManyAsync([TestProducts.New(id, sku: sku), TestProducts.New((id + 1) % ids, sku: $"S{random.Next(skus)}")]);
                        break;
                    case 5:
                        await store.GetAsync<Product, int>(id);
                        break;
                    case 6:
                        await store.GetAsync<Product>(TestProducts.BySku(sku));
                        break;
                    case 7:
                        await store.DeleteAsync(EntityKey.For<Product>(id));
                        break;
                    default:
                        await store.DeleteAsync(TestProducts.BySku(sku));
                        break;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        var byId = new List<Product>();
        for (var id = 0; id < ids; id++)
        {
            if (await store.GetAsync<Product, int>(id) is { } product)
            {
                Assert.That(product.Id, Is.EqualTo(id));
                Assert.That(await store.GetAsync<Product>(TestProducts.BySku(product.Sku)), Is.SameAs(product), $"product {id}'s SKU {product.Sku} must lead back to it");
                byId.Add(product);
            }
        }

        for (var s = 0; s < skus; s++)
        {
            if (await store.GetAsync<Product>(TestProducts.BySku($"S{s}")) is { } owner)
            {
                Assert.That(await store.GetAsync<Product, int>(owner.Id), Is.SameAs(owner), $"SKU S{s} leads to product {owner.Id}, which must be reachable by its id");
            }
        }

        Assert.That(byId.GroupBy(p => p.Sku).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "a SKU held by two reachable products");
        Assert.That(store.Count, Is.EqualTo(byId.Count), "every object the store counts must be reachable by its primary key");
        Assert.That(store.Count, Is.LessThanOrEqualTo(sizeLimit ?? int.MaxValue));
    }
}
