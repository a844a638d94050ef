using Microsoft.Extensions.Logging;
using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class ChainedStoreWriteTests
{
    [Test]
    public async Task PutAsync_WritesBottomTierFirstThenUpward()
    {
        var chain = new TestChain(3);

        await chain.Chain.PutAsync(TestProducts.New(1));

        Assert.That(chain.TiersCalled(StoreOperation.Writes), Is.EqualTo(new[] { 2, 1, 0 }));
        Assert.That(chain.Log.Of(StoreOperation.Writes).Select(c => c.Operation), Is.All.EqualTo(StoreOperation.Put));
    }

    [Test]
    public async Task PutManyAsync_WritesOneBatchPerTierBottomFirst()
    {
        var chain = new TestChain(3);

        await chain.Chain.PutManyAsync([TestProducts.New(1), TestProducts.New(2)]);

        Assert.That(chain.TiersCalled(StoreOperation.Writes), Is.EqualTo(new[] { 2, 1, 0 }));
        Assert.That(chain.Log.Of(StoreOperation.Writes).Select(c => (c.Operation, c.Arguments.Count)), Is.All.EqualTo((StoreOperation.PutMany, 2)));
    }

    [Test]
    public async Task PutAsync_MiddleTierFails_StopsTiersAboveAndSurfaces()
    {
        var chaos = default(ChaosStore);
        var chain = new TestChain(3, (i, m) => i == 1 ? chaos = new ChaosStore(m) : m);
        await chain.Chain.PutAsync(TestProducts.New(1, "v1"));
        chain.Log.Clear();
        chaos!.Failing = StoreOperation.Writes;

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.PutAsync(TestProducts.New(1, "v2")));

        Assert.That(chain.CallsTo(0).Where(c => (c.Operation & StoreOperation.Writes) != 0), Is.Empty, "no tier above the failed one is written");
        Assert.That((await chain.Memory[2].GetAsync<Product, int>(1))?.Name, Is.EqualTo("v2"));
        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.Null, "the tier above must not keep the older version");
    }

    [Test]
    public async Task PutAsync_TierFails_ThatTierDoesNotKeepTheOlderVersion()
    {
        var chaos = default(ChaosStore);
        var chain = new TestChain(3, (i, m) => i == 1 ? chaos = new ChaosStore(m) : m);
        await chain.Chain.PutAsync(TestProducts.New(1, "v1"));
        chaos!.Failing = StoreOperation.Writes;

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.PutAsync(TestProducts.New(1, "v2")));

        Assert.That(await chain.Memory[1].GetAsync<Product, int>(1), Is.Null, "a cache whose write failed must not keep serving v1 while the tier below holds v2");
        chaos.Failing = StoreOperation.None;
        Assert.That((await chain.Chain.GetAsync<Product, int>(1))?.Name, Is.EqualTo("v2"));
    }

    [Test]
    public async Task PutAsync_SourceOfTruthFails_NoTierWrittenAndSurfaces()
    {
        var chain = new TestChain(2, (i, m) => i == 1 ? new SourceOfTruthStore(new ChaosStore(m) { Failing = StoreOperation.Writes }) : m);

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.PutAsync(TestProducts.New(1)));

        Assert.That(chain.Log.Of(StoreOperation.Writes), Is.Empty);
        Assert.That(chain.Memory.Select(m => m.Count), Is.All.Zero);
    }

    [Test]
    public async Task DeleteAsync_ReachesEveryTierBottomFirst()
    {
        var chain = new TestChain(3);
        await chain.Chain.PutAsync(TestProducts.New(1));
        chain.Log.Clear();

        Assert.That(await chain.Chain.DeleteAsync(EntityKey.For<Product>(1)), Is.True);

        Assert.That(chain.TiersCalled(StoreOperation.Deletes), Is.EqualTo(new[] { 2, 1, 0 }));
        Assert.That(chain.Memory.Select(m => m.Count), Is.All.Zero);
    }

    [Test]
    public async Task DeleteAsync_HeldOnlyByTopTier_StillReturnsTrue()
    {
        var chain = new TestChain(2);
        await chain.Memory[0].PutAsync(TestProducts.New(1));

        Assert.That(await chain.Chain.DeleteAsync(EntityKey.For<Product>(1)), Is.True);
        Assert.That(await chain.Chain.DeleteAsync(EntityKey.For<Product>(1)), Is.False);
    }

    [Test]
    public async Task DeleteManyAsync_OneBatchPerTierBottomFirst()
    {
        var chain = new TestChain(3);
        await chain.Chain.PutManyAsync([TestProducts.New(1), TestProducts.New(2)]);
        chain.Log.Clear();

        var deleted = await chain.Chain.DeleteManyAsync([EntityKey.For<Product>(1), EntityKey.Of<Product>(nameof(Product.Sku), "SKU-2")]);

        Assert.That(deleted, Is.EqualTo(2));
        Assert.That(chain.TiersCalled(StoreOperation.Deletes), Is.EqualTo(new[] { 2, 1, 0 }));
        Assert.That(chain.Log.Of(StoreOperation.Deletes).Select(c => c.Operation), Is.All.EqualTo(StoreOperation.DeleteMany));
        Assert.That(chain.Memory.Select(m => m.Count), Is.All.Zero);
    }

    [Test]
    public async Task DeleteAsync_MiddleTierFails_OtherTiersStillDeleteAndFailureSurfaces()
    {
        var chaos = default(ChaosStore);
        var chain = new TestChain(3, (i, m) => i == 1 ? chaos = new ChaosStore(m) : m);
        await chain.Chain.PutAsync(TestProducts.New(1));
        chaos!.Failing = StoreOperation.Deletes;

        Assert.ThrowsAsync<ChaosException>(async () => await chain.Chain.DeleteAsync(EntityKey.For<Product>(1)));

        Assert.That(await chain.Memory[2].GetAsync<Product, int>(1), Is.Null);
        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.Null);
        var error = chain.Logger.Entries.Single(e => e.EventId.Name == "TierDeleteFailed");
        Assert.That((error.Level, error.Exception?.GetType()), Is.EqualTo((LogLevel.Error, typeof(ChaosException))));
    }

    [Test]
    public async Task DeleteAsync_TwoTiersFail_SurfacesBoth()
    {
        var chain = new TestChain(3, (i, m) => i < 2 ? new ChaosStore(m) { Failing = StoreOperation.Deletes } : m);
        await chain.Memory[2].PutAsync(TestProducts.New(1));

        var ex = Assert.ThrowsAsync<AggregateException>(async () => await chain.Chain.DeleteAsync(EntityKey.For<Product>(1)));

        Assert.That(ex!.InnerExceptions, Has.Count.EqualTo(2).And.All.TypeOf<ChaosException>());
        Assert.That(await chain.Memory[2].GetAsync<Product, int>(1), Is.Null);
    }

    [Test]
    public async Task ClearAsync_ClearsCachesButNeverTheSourceOfTruth()
    {
        var chain = new TestChain(2, (i, m) => i == 1 ? new SourceOfTruthStore(m) : m);
        await chain.Chain.PutAsync(TestProducts.New(1));

        await chain.Chain.ClearAsync(typeof(Product));

        Assert.That(chain.Memory[0].Count, Is.Zero);
        Assert.That(chain.Memory[1].Count, Is.EqualTo(1));
        Assert.That(chain.CallsTo(1).Select(c => c.Operation), Has.None.EqualTo(StoreOperation.Clear));
    }
}
