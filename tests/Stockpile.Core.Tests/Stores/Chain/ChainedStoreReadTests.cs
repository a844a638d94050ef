using Microsoft.Extensions.Logging;
using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class ChainedStoreReadTests
{
    [Test]
    public async Task GetAsync_HitInBottom_BackfillsEveryTierAbove([Values] ReadPath path)
    {
        var product = TestProducts.New(1);

        var chain = await ReadFromChainHoldingItInTierAsync(2, path, product);

        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.SameAs(product));
        Assert.That(await chain.Memory[1].GetAsync<Product, int>(1), Is.SameAs(product));
    }

    [Test]
    public async Task GetAsync_HitInMiddle_BackfillsAboveAndLeavesBelowAlone([Values] ReadPath path)
    {
        var product = TestProducts.New(1);

        var chain = await ReadFromChainHoldingItInTierAsync(1, path, product);

        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.SameAs(product));
        Assert.That(chain.CallsTo(2), Is.Empty);
    }

    [Test]
    public async Task GetAsync_HitInTop_AsksNoOtherTier([Values] ReadPath path)
    {
        var chain = await ReadFromChainHoldingItInTierAsync(0, path, TestProducts.New(1));

        Assert.That(chain.CallsTo(1).Concat(chain.CallsTo(2)), Is.Empty);
        Assert.That(chain.Log.Of(StoreOperation.Writes), Is.Empty);
    }

    [Test]
    public async Task GetAsync_MissEverywhere_ReturnsNullAndWritesNothing([Values] ReadPath path)
    {
        var chain = new TestChain(3);

        Assert.That(await TestProducts.ReadAsync(chain.Chain, path, TestProducts.New(1)), Is.Null);

        Assert.That(chain.TiersCalled(StoreOperation.Reads), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(chain.Log.Of(StoreOperation.Writes), Is.Empty);
    }

    [Test]
    public async Task GetAsync_CacheTierThrows_IsMissAndLogged([Values] ReadPath path, [Values] bool synchronously)
    {
        var chain = new TestChain(2, (i, m) => i == 0 ? new ChaosStore(m) { Failing = StoreOperation.Reads, ThrowSynchronously = synchronously } : m);
        var product = TestProducts.New(1);
        await chain.Memory[1].PutAsync(product);

        Assert.That(await TestProducts.ReadAsync(chain.Chain, path, product), Is.SameAs(product));

        var warning = chain.Logger.Entries.Single(e => e.EventId.Name == "TierReadFailed");
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Exception, Is.TypeOf<ChaosException>());
        Assert.That(warning.Message, Does.Contain(chain.Name(0)));
    }

    [Test]
    public async Task GetAsync_MiddleCacheTierThrows_ReadsBelowIt([Values] ReadPath path)
    {
        var product = TestProducts.New(1);

        var chain = await ReadFromChainHoldingItInTierAsync(2, path, product, (i, m) => i == 1 ? new ChaosStore(m) { Failing = StoreOperation.Reads } : m);

        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.SameAs(product), "the tier above the failed one is still back-filled");
        Assert.That(chain.Logger.Entries.Count(e => e.EventId.Name == "TierReadFailed"), Is.EqualTo(1));
    }

    [Test]
    public void GetAsync_CacheTierThrowsWithThrowOnCacheReadFailure_Surfaces([Values] ReadPath path, [Values] bool synchronously, [Values(0, 1)] int failingTier)
    {
        var chain = new TestChain(
            3,
            (i, m) => i == failingTier ? new ChaosStore(m) { Failing = StoreOperation.Reads, ThrowSynchronously = synchronously } : m,
            new ChainedStoreOptions { ThrowOnCacheReadFailure = true });

        Assert.ThrowsAsync<ChaosException>(async () => await TestProducts.ReadAsync(chain.Chain, path, TestProducts.New(1)));
    }

    [Test]
    public void GetAsync_SourceOfTruthThrows_Surfaces([Values] ReadPath path)
    {
        var chain = new TestChain(2, (i, m) => i == 1 ? new SourceOfTruthStore(new ChaosStore(m) { Failing = StoreOperation.Reads }) : m);

        Assert.ThrowsAsync<ChaosException>(async () => await TestProducts.ReadAsync(chain.Chain, path, TestProducts.New(1)));
    }

    [Test]
    public async Task GetAsync_BottomCacheTierThrows_IsMiss([Values] ReadPath path)
    {
        var chain = new TestChain(2, (i, m) => i == 1 ? new ChaosStore(m) { Failing = StoreOperation.Reads } : m);

        Assert.That(await TestProducts.ReadAsync(chain.Chain, path, TestProducts.New(1)), Is.Null);

        Assert.That(chain.Logger.Entries.Count(e => e.EventId.Name == "TierReadFailed"), Is.EqualTo(1));
    }

    [Test]
    public async Task GetAsync_BackfillFails_OnlyLogsAndStillBackfillsHigherTiers([Values] ReadPath path)
    {
        var product = TestProducts.New(1);

        var chain = await ReadFromChainHoldingItInTierAsync(2, path, product, (i, m) => i == 1 ? new ChaosStore(m) { Failing = StoreOperation.Writes } : m);

        var warning = chain.Logger.Entries.Single(e => e.EventId.Name == "BackfillFailed");
        Assert.That((warning.Level, warning.Exception?.GetType()), Is.EqualTo((LogLevel.Warning, typeof(ChaosException))));
        Assert.That(await chain.Memory[1].GetAsync<Product, int>(1), Is.Null);
        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.SameAs(product));
    }

    /// <summary>Makes a three-tier chain (tiers wrapped as <paramref name="wrap"/> says), puts the product in one tier only, and reads it through the chain.</summary>
    private static async Task<TestChain> ReadFromChainHoldingItInTierAsync(int tier, ReadPath path, Product product, Func<int, ObjectStore, ObjectStore>? wrap = null)
    {
        var chain = new TestChain(3, wrap);
        await chain.Memory[tier].PutAsync(product);

        Assert.That(await TestProducts.ReadAsync(chain.Chain, path, product), Is.SameAs(product));
        return chain;
    }
}
