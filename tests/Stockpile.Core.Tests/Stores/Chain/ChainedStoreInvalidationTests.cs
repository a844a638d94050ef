using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

/// <summary>A chain of a process-local cache, a shared cache and a source of truth, as an app with Redis and a database has.</summary>
[TestFixture]
public sealed class ChainedStoreInvalidationTests
{
    private TestChain _chain = null!;

    [SetUp]
    public void CreateChain() =>
        _chain = new TestChain(3, (i, m) => i switch
        {
            1 => new SharedCacheStore(m),
            2 => new SourceOfTruthStore(m),
            _ => m,
        });

    [Test]
    public async Task InvalidateAsync_Keys_EvictsCachesButNotSourceOfTruth()
    {
        await _chain.Chain.PutAsync(TestProducts.New(1));

        await _chain.Chain.InvalidateAsync([EntityKey.Of<Product>(nameof(Product.Sku), "SKU-1")]);

        Assert.That(_chain.Memory.Select(m => m.Count), Is.EqualTo(new[] { 0, 0, 1 }));
        Assert.That(_chain.CallsTo(2).Select(c => c.Operation), Has.None.AnyOf(StoreOperation.Delete, StoreOperation.DeleteMany));
    }

    [Test]
    public async Task InvalidateAsync_Keys_PublishesThem()
    {
        var key = EntityKey.For<Product>(1);

        await _chain.Chain.InvalidateAsync([key]);

        Assert.That(_chain.Backplane.Evictions, Is.EqualTo(new[] { new[] { key } }));
    }

    [Test]
    public async Task InvalidateAsync_NoKeys_DoesNothing()
    {
        await _chain.Chain.InvalidateAsync(Array.Empty<EntityKey>());

        Assert.That(_chain.Log.Calls, Is.Empty);
        Assert.That(_chain.Backplane.Evictions, Is.Empty);
    }

    [Test]
    public async Task InvalidateAsync_Type_ClearsCachesButNotSourceOfTruthAndPublishesClear()
    {
        await _chain.Chain.PutManyAsync([TestProducts.New(1), TestProducts.New(2)]);
        await _chain.Chain.PutAsync(new Customer { Code = "C1" });

        await _chain.Chain.InvalidateAsync(typeof(Product));

        Assert.That(_chain.Memory.Select(m => m.Count), Is.EqualTo(new[] { 1, 1, 3 }));
        Assert.That(_chain.Backplane.Clears, Is.EqualTo(new[] { typeof(Product) }));
    }

    [Test]
    public async Task EvictLocalAsync_TouchesOnlyProcessLocalTiersAndPublishesNothing()
    {
        await _chain.Chain.PutAsync(TestProducts.New(1));
        var published = _chain.Backplane.Evictions.Count;

        await _chain.Chain.EvictLocalAsync([EntityKey.For<Product>(1)]);

        Assert.That(_chain.Memory.Select(m => m.Count), Is.EqualTo(new[] { 0, 1, 1 }));
        Assert.That(_chain.Backplane.Evictions, Has.Count.EqualTo(published));
    }

    [Test]
    public async Task ClearLocalAsync_ClearsOnlyProcessLocalTiers()
    {
        await _chain.Chain.PutAsync(TestProducts.New(1));

        await _chain.Chain.ClearLocalAsync(null);

        Assert.That(_chain.Memory.Select(m => m.Count), Is.EqualTo(new[] { 0, 1, 1 }));
    }

    [Test]
    public async Task RefreshAsync_FillsCacheTiersFromTheSourceOfTruth_AndPublishes()
    {
        var committed = TestProducts.New(1);
        committed.Name = "committed";
        await _chain.Memory[2].PutAsync(committed);
        var stale = TestProducts.New(1);
        stale.Name = "stale";
        await _chain.Memory[0].PutAsync(stale);

        // The caller hands over an older state than the source of truth holds (two commits reached it out of order).
        await _chain.Chain.RefreshAsync([stale]);

        Assert.That((await _chain.Memory[0].GetAsync<Product, int>(1))?.Name, Is.EqualTo("committed"));
        Assert.That((await _chain.Memory[1].GetAsync<Product, int>(1))?.Name, Is.EqualTo("committed"));
        Assert.That(_chain.CallsTo(2).Select(c => c.Operation), Has.None.AnyOf(StoreOperation.Put, StoreOperation.PutMany, StoreOperation.Delete, StoreOperation.DeleteMany));
        Assert.That(_chain.Backplane.Evictions.Single(), Is.EqualTo(new[] { EntityKey.For<Product>(1) }));
    }

    [Test]
    public async Task PutAsync_PublishesThePrimaryKey()
    {
        await _chain.Chain.PutAsync(TestProducts.New(1));
        await _chain.Chain.PutManyAsync([TestProducts.New(2), TestProducts.New(3)]);

        Assert.That(_chain.Backplane.Evictions, Is.EqualTo(new[]
        {
            new[] { EntityKey.For<Product>(1) },
            new[] { EntityKey.For<Product>(2), EntityKey.For<Product>(3) },
        }));
    }

    [Test]
    public async Task DeleteAsync_PublishesTheKeys()
    {
        var bySku = EntityKey.Of<Product>(nameof(Product.Sku), "SKU-2");

        await _chain.Chain.DeleteAsync(EntityKey.For<Product>(1));
        await _chain.Chain.DeleteManyAsync([bySku]);

        Assert.That(_chain.Backplane.Evictions, Is.EqualTo(new[] { new[] { EntityKey.For<Product>(1) }, new[] { bySku } }));
    }

    [Test]
    public void PutAsync_SourceOfTruthFails_PublishesNothing()
    {
        var chain = new TestChain(2, (i, m) => i == 1 ? new SourceOfTruthStore(new ChaosStore(m) { Failing = StoreOperation.Writes }) : m);

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.PutAsync(TestProducts.New(1)));

        Assert.That(chain.Backplane.Evictions, Is.Empty);
    }

    [Test]
    public async Task PutAsync_CacheTierFailsAfterSourceOfTruthWrote_StillPublishes()
    {
        var chain = new TestChain(3, (i, m) => i switch
        {
            1 => new ChaosStore(new SharedCacheStore(m)) { Failing = StoreOperation.Writes },
            2 => new SourceOfTruthStore(m),
            _ => m,
        });

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.PutAsync(TestProducts.New(1)));

        Assert.That(chain.Memory[2].Count, Is.EqualTo(1), "the source of truth took the write");
        Assert.That(chain.Backplane.Evictions, Is.EqualTo(new[] { new[] { EntityKey.For<Product>(1) } }), "other instances still hold the old object in memory");
    }

    [Test]
    public async Task DeleteAsync_TierFails_StillPublishes()
    {
        var chain = new TestChain(3, (i, m) => i == 1 ? new ChaosStore(m) { Failing = StoreOperation.Deletes } : m);
        await chain.Memory[2].PutAsync(TestProducts.New(1));

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.DeleteAsync(EntityKey.For<Product>(1)));

        Assert.That(chain.Memory[2].Count, Is.Zero);
        Assert.That(chain.Backplane.Evictions, Is.EqualTo(new[] { new[] { EntityKey.For<Product>(1) } }));
    }

    [Test]
    public void InvalidateAsync_TierFails_StillPublishes()
    {
        var chain = new TestChain(3, (i, m) => i switch
        {
            0 => new ChaosStore(m) { Failing = StoreOperation.Deletes | StoreOperation.Clear },
            2 => new SourceOfTruthStore(m),
            _ => m,
        });
        var key = EntityKey.For<Product>(1);

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.InvalidateAsync([key]));
        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.InvalidateAsync(typeof(Product)));

        Assert.That(chain.Backplane.Evictions, Is.EqualTo(new[] { new[] { key } }));
        Assert.That(chain.Backplane.Clears, Is.EqualTo(new[] { typeof(Product) }));
    }
}
