using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class ChainedStoreBatchTests
{
    [Test]
    public async Task GetManyAsync_AsksEachTierOnceForTheKeysStillMissing()
    {
        var chain = new TestChain(3);
        var (a, b, c1, c2) = (TestProducts.New(1), TestProducts.New(2), TestProducts.New(3), TestProducts.New(4));
        await chain.Memory[0].PutAsync(a);
        await chain.Memory[1].PutAsync(b);
        await chain.Memory[2].PutManyAsync([c1, c2]);
        EntityKey[] keys = [Key(a), Key(b), Key(c1), EntityKey.For<Product>(99), Key(c2)];

        var found = await chain.Chain.GetManyAsync<Product>(keys);

        Assert.That(found, Is.EqualTo(new[] { a, b, c1, null, c2 }));
        var reads = chain.Log.Of(StoreOperation.Reads);
        Assert.That(reads.Select(r => (chain.Memory.Select(m => m.Name).ToList().IndexOf(r.Store), r.Operation)), Is.EqualTo(new[]
        {
            (0, StoreOperation.GetMany), (1, StoreOperation.GetMany), (2, StoreOperation.GetMany),
        }));
        Assert.That(reads[0].Keys, Is.EqualTo(keys));
        Assert.That(reads[1].Keys, Is.EqualTo(keys[1..]));
        Assert.That(reads[2].Keys, Is.EqualTo(new[] { keys[2], keys[3], keys[4] }));
    }

    [Test]
    public async Task GetManyAsync_HitsBelow_BackfillEachUpperTierWithOneBatch()
    {
        var chain = new TestChain(3);
        var products = Enumerable.Range(1, 3).Select(id => TestProducts.New(id)).ToArray();
        await chain.Memory[2].PutManyAsync(products);

        await chain.Chain.GetManyAsync<Product, int>(products.Select(p => p.Id));

        var writes = chain.Log.Of(StoreOperation.Writes);
        Assert.That(writes.Select(w => (w.Store, w.Operation)), Is.EqualTo(new[]
        {
            (chain.Name(1), StoreOperation.PutMany), (chain.Name(0), StoreOperation.PutMany),
        }));
        Assert.That(writes.Select(w => w.Arguments), Is.All.EqualTo(products));
        Assert.That(await chain.Memory[0].GetManyAsync<Product, int>([1, 2, 3]), Is.EqualTo(products));
    }

    [Test]
    public async Task GetManyAsync_HitsInSeveralTiers_BackfillsEachHitAboveItsTier()
    {
        var chain = new TestChain(3);
        var (b, c1, c2) = (TestProducts.New(2), TestProducts.New(3), TestProducts.New(4));
        await chain.Memory[1].PutAsync(b);
        await chain.Memory[2].PutManyAsync([c1, c2]);

        await chain.Chain.GetManyAsync<Product>([Key(b), Key(c1), Key(c2)]);

        Assert.That(chain.CallsTo(0).Where(c => (c.Operation & StoreOperation.Writes) != 0).Select(c => (c.Operation, c.Arguments.Count)), Is.EqualTo(new[]
        {
            (StoreOperation.Put, 1), (StoreOperation.PutMany, 2),
        }));
        Assert.That(chain.CallsTo(1).Where(c => (c.Operation & StoreOperation.Writes) != 0).Select(c => c.Arguments), Is.EqualTo(new[] { new object[] { c1, c2 } }));
    }

    [Test]
    public async Task GetManyAsync_CacheTierThrows_IsMissForEveryKey()
    {
        var chain = new TestChain(2, (i, m) => i == 0 ? new ChaosStore(m) { Failing = StoreOperation.GetMany } : m);
        var products = Enumerable.Range(1, 2).Select(id => TestProducts.New(id)).ToArray();
        await chain.Memory[1].PutManyAsync(products);

        Assert.That(await chain.Chain.GetManyAsync<Product, int>([1, 2]), Is.EqualTo(products));

        Assert.That(chain.Logger.Entries.Count(e => e.EventId.Name == "TierReadFailed"), Is.EqualTo(1));
    }

    private static EntityKey Key(Product product) => EntityKey.For<Product>(product.Id);
}
