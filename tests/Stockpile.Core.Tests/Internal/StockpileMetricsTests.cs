using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Internal;

/// <summary><c>stockpile.store.requests</c> counts one hit or miss per tier asked, tagged with the tier's name.</summary>
[TestFixture]
public sealed class StockpileMetricsTests
{
    private RequestCounter _counter = null!;
    private TestChain _chain = null!;

    [SetUp]
    public void Listen()
    {
        _counter = new RequestCounter();
        _chain = new TestChain(2);
    }

    [TearDown]
    public void StopListening() => _counter.Dispose();

    [Test]
    public async Task GetAsync_HitInTop_CountsOneHit()
    {
        await _chain.Memory[0].PutAsync(TestProducts.New(1));

        await _chain.Chain.GetAsync<Product, int>(1);

        Assert.That(Counts(), Is.EqualTo((1, 0, 0, 0)));
    }

    [Test]
    public async Task GetAsync_HitBelow_CountsMissAboveAndHitBelow()
    {
        await _chain.Memory[1].PutAsync(TestProducts.New(1));

        await _chain.Chain.GetAsync<Product>(EntityKey.For<Product>(1));

        Assert.That(Counts(), Is.EqualTo((0, 1, 1, 0)));
    }

    [Test]
    public async Task GetAsync_MissEverywhere_CountsMissInEachTier()
    {
        await _chain.Chain.GetAsync<Product, int>(1);

        Assert.That(Counts(), Is.EqualTo((0, 1, 0, 1)));
    }

    [Test]
    public async Task GetManyAsync_CountsPerTier()
    {
        await _chain.Memory[0].PutAsync(TestProducts.New(1));
        await _chain.Memory[1].PutAsync(TestProducts.New(2));

        await _chain.Chain.GetManyAsync<Product, int>([1, 2, 3]);

        Assert.That(Counts(), Is.EqualTo((1, 2, 1, 1)));
    }

    /// <summary>(hits in l1, misses in l1, hits in l2, misses in l2).</summary>
    private (long, long, long, long) Counts() =>
        (_counter.Hits(_chain.Name(0)), _counter.Misses(_chain.Name(0)), _counter.Hits(_chain.Name(1)), _counter.Misses(_chain.Name(1)));
}
