using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Issue 12, items 4 and 8: a chain's invalidation lets one shared tier send the backplane's message with its delete
/// (the Redis store does it in its delete script, one round trip instead of two). It must be the last shared tier the
/// chain deletes from (tiers delete bottom first): a lower one would tell other instances to re-read while an upper
/// shared tier still held the old state. The chain publishes once: by the tier, or itself when the tier declined.
/// </summary>
[TestFixture]
public sealed class Issue12InvalidationCarrierTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task InvalidateAsync_TwoSharedTiers_TheUpperCarriesTheMessage_AfterTheLowerDeleted(bool carries)
    {
        CarryingSharedStore upper = null!;
        CarryingSharedStore lower = null!;
        TestChain chain = null!;
        chain = new TestChain(4, (i, m) => i switch
        {
            1 => upper = new CarryingSharedStore(m, carries, key => chain.Memory[2].GetAsync<Product>(key).AsTask().Result is not null),
            2 => lower = new CarryingSharedStore(m, carries: true),
            3 => new SourceOfTruthStore(m),
            _ => m,
        });
        await chain.Chain.PutAsync(TestProducts.New(1));
        var keys = new[] { EntityKey.For<Product>(1), EntityKey.Of<Product>(nameof(Product.Sku), "SKU-1") };
        var published = chain.Backplane.Evictions.Count;

        await chain.Chain.InvalidateAsync(keys);

        Assert.Multiple(() =>
        {
            Assert.That(upper.Asked, Is.EqualTo(1), "the last shared tier to delete is asked to carry the message");
            Assert.That(lower.Asked, Is.Zero, "a shared tier below it is not");
            Assert.That(upper.PublishedBeforeOthersDeleted, Is.False, "the lower shared tier had deleted when the message left");
            Assert.That(chain.Backplane.Evictions, Has.Count.EqualTo(published + 1), "one message, by the tier or (declined) by the chain");
            Assert.That(chain.Backplane.Evictions[^1], Is.EquivalentTo(keys));
            Assert.That(chain.Memory.Select(m => m.Count), Is.EqualTo(new[] { 0, 0, 0, 1 }), "every cache tier evicted, the source kept");
        });
    }

    [Test]
    public async Task InvalidateAsync_NoBackplane_NoTierIsAsked()
    {
        CarryingSharedStore shared = null!;
        var chain = new TestChain(3, (i, m) => i switch
        {
            1 => shared = new CarryingSharedStore(m, carries: true),
            2 => new SourceOfTruthStore(m),
            _ => m,
        });
        chain.Chain.Backplane = null;
        await chain.Chain.PutAsync(TestProducts.New(1));

        await chain.Chain.InvalidateAsync([EntityKey.For<Product>(1)]);

        Assert.That(shared.Asked, Is.Zero);
        Assert.That(chain.Memory.Select(m => m.Count), Is.EqualTo(new[] { 0, 0, 1 }));
    }
}
