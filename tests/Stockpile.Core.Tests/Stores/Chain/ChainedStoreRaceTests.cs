using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

/// <summary>
/// A reader that found an object in a lower tier and a writer that changes it, interleaved step by step with gates: once
/// the write has returned and the reader is done, no cache tier may serve what the write replaced or removed.
/// </summary>
[TestFixture]
public sealed class ChainedStoreRaceTests
{
    [Test]
    public async Task Delete_WhileReaderHoldsLowerTierValue_LeavesUpperTierEmpty([Values] ReadPath path)
    {
        var (chain, gated, product) = await ChainWithGatedBottomHoldingV1Async();
        var gate = gated.HoldNextGetAfterRead();

        var reader = TestProducts.ReadAsync(chain.Chain, path, product);
        await gate.WaitUntilEnteredAsync();
        await chain.Chain.DeleteAsync(EntityKey.For<Product>(1));
        gate.Release();
        await reader;

        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.Null, "the reader back-filled an object deleted meanwhile");
        Assert.That(await chain.Chain.GetAsync<Product, int>(1), Is.Null);
    }

    [Test]
    public async Task Put_WhileReaderHoldsLowerTierValue_UpperTierNeverKeepsOlderVersion([Values] ReadPath path)
    {
        var (chain, gated, product) = await ChainWithGatedBottomHoldingV1Async();
        var gate = gated.HoldNextGetAfterRead();

        var reader = TestProducts.ReadAsync(chain.Chain, path, product);
        await gate.WaitUntilEnteredAsync();
        await chain.Chain.PutAsync(TestProducts.New(1, "v2"));
        gate.Release();
        await reader;

        Assert.That((await chain.Memory[0].GetAsync<Product, int>(1))?.Name, Is.Not.EqualTo("v1"));
        Assert.That((await chain.Chain.GetAsync<Product, int>(1))?.Name, Is.EqualTo("v2"));
    }

    [Test]
    public async Task Read_WhileDeleteIsUnderWay_DoesNotBackfill([Values] ReadPath path)
    {
        var (chain, gated, product) = await ChainWithGatedBottomHoldingV1Async();
        var gate = gated.HoldNextDeleteBeforeRunning();

        var delete = chain.Chain.DeleteAsync(EntityKey.For<Product>(1)).AsTask();
        await gate.WaitUntilEnteredAsync();
        await TestProducts.ReadAsync(chain.Chain, path, product);
        gate.Release();
        await delete;

        Assert.That(await chain.Memory[0].GetAsync<Product, int>(1), Is.Null);
        Assert.That(await chain.Chain.GetAsync<Product, int>(1), Is.Null);
    }

    [Test]
    public async Task PutAsync_TwoPutsReachTheCacheOutOfOrder_OlderStateIsNotLeftCached()
    {
        var gated = default(GatedStore);
        var chain = new TestChain(2, (i, m) => i == 0 ? gated = new GatedStore(m) : m);
        var gate = gated!.HoldNextPutBeforeRunning();

        // A reaches the source of truth first, then stalls before the cache; B overtakes it entirely.
        var first = chain.Chain.PutAsync(TestProducts.New(1, "v1")).AsTask();
        await gate.WaitUntilEnteredAsync();
        await chain.Chain.PutAsync(TestProducts.New(1, "v2"));
        gate.Release();
        await first;

        Assert.That((await chain.Memory[1].GetAsync<Product, int>(1))?.Name, Is.EqualTo("v2"), "the source of truth took the later put");
        Assert.That((await chain.Memory[0].GetAsync<Product, int>(1))?.Name, Is.Not.EqualTo("v1"), "the cache must not keep the older put");
        Assert.That((await chain.Chain.GetAsync<Product, int>(1))?.Name, Is.EqualTo("v2"));
    }

    /// <summary>A memory tier over a gated bottom tier that holds product 1 as "v1"; the top tier is empty.</summary>
    private static async Task<(TestChain Chain, GatedStore Gated, Product Product)> ChainWithGatedBottomHoldingV1Async()
    {
        var gated = default(GatedStore);
        var chain = new TestChain(2, (i, m) => i == 1 ? gated = new GatedStore(m) : m);
        var product = TestProducts.New(1, "v1");
        await chain.Memory[1].PutAsync(product);
        return (chain, gated!, product);
    }
}
