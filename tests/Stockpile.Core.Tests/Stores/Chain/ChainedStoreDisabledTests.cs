using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class ChainedStoreDisabledTests
{
    [Test]
    public async Task GetAsync_InsideScope_ReadsOnlyTheBottomTierAndBackfillsNothing([Values] ReadPath path)
    {
        var chain = new TestChain(3);
        var cached = TestProducts.New(1, "cached");
        var current = TestProducts.New(1, "current");
        await chain.Memory[0].PutAsync(cached);
        await chain.Memory[2].PutAsync(current);
        chain.Log.Clear();

        using (StockpileCaching.Disable())
        {
            Assert.That(await TestProducts.ReadAsync(chain.Chain, path, current), Is.SameAs(current));
        }

        Assert.That(chain.TiersCalled(StoreOperation.Reads), Is.EqualTo(new[] { 2 }));
        Assert.That(chain.Log.Of(StoreOperation.Writes), Is.Empty, "nothing is back-filled");
        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.SameAs(cached));
        Assert.That(await TestProducts.ReadAsync(chain.Chain, path, current), Is.SameAs(cached), "outside the scope the cache answers again");
    }

    [Test]
    public async Task PutAsync_InsideScope_WritesTheBottomAndEvictsTheCaches()
    {
        var chain = new TestChain(3);
        await chain.Chain.PutAsync(TestProducts.New(1, "old"));
        var updated = TestProducts.New(1, "new");

        using (StockpileCaching.Disable())
        {
            await chain.Chain.PutManyAsync([updated]);
        }

        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.Null);
        Assert.That(await chain.Memory[1].GetAsync<Product, int>(1), Is.Null);
        Assert.That((await chain.Memory[2].GetAsync<Product, int>(1))?.Name, Is.EqualTo("new"));
        Assert.That((await chain.Chain.GetAsync<Product, int>(1))?.Name, Is.EqualTo("new"), "the next read fills from the bottom");
    }
}
