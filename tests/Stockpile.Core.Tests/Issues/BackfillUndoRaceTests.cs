using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Issues;

/// <summary>
/// Regression: <c>InterceptorConcurrencyTests.ConcurrentWriters_OnceQuiet_EveryTierEqualsDatabase</c> failed now and
/// then with the memory tier keeping an older state than the database's. A back-fill that raced a write was undone tier
/// by tier, but undoing it did not count as a write: while the older state still sat in the lower cache tier, another
/// reader found it there and back-filled it into the top tier with nothing telling it that it was stale.
/// </summary>
[TestFixture]
public sealed class BackfillUndoRaceTests
{
    [Test]
    public async Task Read_WhileAnotherReadersBackfillIsBeingUndone_DoesNotKeepTheOlderState([Values] ReadPath path)
    {
        GatedStore? second = null;
        GatedStore? source = null;
        var chain = new TestChain(3, (i, m) => i switch
        {
            1 => second = new GatedStore(m),
            2 => new SourceOfTruthStore(source = new GatedStore(m)),
            _ => m,
        });
        await chain.Memory[2].PutAsync(TestProducts.New(1, "v1"));

        // The first reader misses both caches and reads v1 from the source of truth, then stalls.
        var read = source!.HoldNextGetAfterRead();
        var first = chain.Chain.GetAsync<Product, int>(1).AsTask();
        await read.WaitUntilEnteredAsync();

        // v2 commits, and the caches are told.
        await chain.Memory[2].PutAsync(TestProducts.New(1, "v2"));
        await chain.Chain.InvalidateAsync([EntityKey.For<Product>(1)]);

        // The first reader back-fills v1, sees the write and undoes its back-fill: the top tier first, then the second
        // tier, where it is held while v1 is still there.
        var undo = second!.HoldNextDeleteBeforeRunning();
        read.Release();
        await undo.WaitUntilEnteredAsync();

        // Another reader misses the top tier and finds v1 in the second.
        await TestProducts.ReadAsync(chain.Chain, path, TestProducts.New(1));
        undo.Release();
        await first;

        Assert.That((await chain.Memory[0].GetAsync<Product, int>(1))?.Name, Is.Not.EqualTo("v1"), "the top tier kept the state the undone back-fill left below it");
        Assert.That((await chain.Memory[1].GetAsync<Product, int>(1))?.Name, Is.Not.EqualTo("v1"));
        Assert.That((await chain.Chain.GetAsync<Product, int>(1))?.Name, Is.EqualTo("v2"));
    }
}
