using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

/// <summary>
/// Miss coalescing (issue 8): concurrent misses of one look-up read the tiers below the top once and share the result;
/// a waiter that cancels leaves the others waiting; a failure reaches every waiter and the next call reads again; and
/// no caller joins a read that a write which began before the caller's call may have overtaken.
/// </summary>
[TestFixture]
public sealed class ChainedStoreCoalescingTests
{
    private GatedStore _source = null!;
    private ChaosStore _chaos = null!;
    private TestChain _chain = null!;

    [SetUp]
    public void SetUp() =>
        _chain = new TestChain(2, (i, m) => i == 1 ? new SourceOfTruthStore(_source = new GatedStore(_chaos = new ChaosStore(m))) : m);

    [Test]
    public async Task GetAsync_ConcurrentMisses_ReadTheSourceOnce_AndShareTheResult([Values] ReadPath path)
    {
        await _chain.Memory[1].PutAsync(TestProducts.New(1, "v1"));
        var gate = _source.HoldNextGetAfterRead();
        var first = TestProducts.ReadAsync(_chain.Chain, path, TestProducts.New(1));
        await gate.WaitUntilEnteredAsync();

        var others = Enumerable.Range(0, 20).Select(_ => TestProducts.ReadAsync(_chain.Chain, path, TestProducts.New(1))).ToList();
        gate.Release();

        var names = (await Task.WhenAll([first, .. others])).Select(p => p?.Name);
        Assert.That(names, Has.All.EqualTo("v1"));
        Assert.That(SourceReads(), Has.Count.EqualTo(1), "one read of the source for 21 concurrent misses");
    }

    [Test]
    public async Task GetAsync_OneWaiterCancels_TheOthersGetTheValue()
    {
        await _chain.Memory[1].PutAsync(TestProducts.New(1, "v1"));
        var gate = _source.HoldNextGetAfterRead();
        using var cancellation = new CancellationTokenSource();
        var cancelled = _chain.Chain.GetAsync<Product, int>(1, cancellation.Token).AsTask();
        await gate.WaitUntilEnteredAsync();
        var waiting = _chain.Chain.GetAsync<Product, int>(1).AsTask();

        await cancellation.CancelAsync();
        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        gate.Release();

        Assert.That((await waiting)?.Name, Is.EqualTo("v1"));
        Assert.That(SourceReads(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task GetAsync_EveryWaiterCancels_TheReadIsCancelled_TheNextCallReadsAgain()
    {
        await _chain.Memory[1].PutAsync(TestProducts.New(1, "v1"));
        var gate = _source.HoldNextGetBeforeRead();
        using var cancellation = new CancellationTokenSource();
        var first = _chain.Chain.GetAsync<Product, int>(1, cancellation.Token).AsTask();
        await gate.WaitUntilEnteredAsync();
        var second = _chain.Chain.GetAsync<Product, int>(1, cancellation.Token).AsTask();

        await cancellation.CancelAsync();
        Assert.That(async () => await first, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(async () => await second, Throws.InstanceOf<OperationCanceledException>());
        gate.Release();

        Assert.That((await _chain.Chain.GetAsync<Product, int>(1))?.Name, Is.EqualTo("v1"));
    }

    [Test]
    public async Task GetAsync_SourceFails_EveryWaiterGetsTheFailure_TheNextCallReadsAgain([Values] bool batch)
    {
        await _chain.Memory[1].PutAsync(TestProducts.New(1, "v1"));
        var gate = _source.HoldNextGetBeforeRead();
        var first = Read();
        await gate.WaitUntilEnteredAsync();
        var others = Enumerable.Range(0, 5).Select(_ => Read()).ToList();
        _chaos.Failing = StoreOperation.Reads;
        gate.Release();

        foreach (var read in others.Prepend(first))
        {
            Assert.That(async () => await read, Throws.InstanceOf<ChaosException>());
        }

        _chaos.Failing = StoreOperation.None;
        Assert.That((await Read())?.Name, Is.EqualTo("v1"), "a failed read is not kept: the next call reads again");

        async Task<Product?> Read() => batch
            ? (await _chain.Chain.GetManyAsync<Product, int>([1]))[0]
            : await _chain.Chain.GetAsync<Product, int>(1);
    }

    [Test]
    public async Task GetAsync_AfterAWriteCompleted_DoesNotJoinTheOlderRead([Values] ReadPath path)
    {
        await _chain.Memory[1].PutAsync(TestProducts.New(1, "v1"));
        var gate = _source.HoldNextGetAfterRead();
        var older = TestProducts.ReadAsync(_chain.Chain, path, TestProducts.New(1));
        await gate.WaitUntilEnteredAsync();

        // v2 commits around the chain (raw SQL, say) and is invalidated: a write that ends before the next call.
        await _chain.Memory[1].PutAsync(TestProducts.New(1, "v2"));
        await _chain.Chain.InvalidateAsync([EntityKey.For<Product>(1)]);
        var newer = TestProducts.ReadAsync(_chain.Chain, path, TestProducts.New(1));

        Assert.That((await newer)?.Name, Is.EqualTo("v2"), "the call after the write did not get the read that began before it");
        gate.Release();
        Assert.That((await older)?.Name, Is.EqualTo("v1"));
        Assert.That((await _chain.Chain.GetAsync<Product, int>(1))?.Name, Is.EqualTo("v2"), "the older read's back-fill was not kept");
    }

    [Test]
    public async Task GetAsync_WhileAWriteIsUnderWay_DoesNotJoinARead()
    {
        await _chain.Memory[1].PutAsync(TestProducts.New(1, "v1"));
        var read = _source.HoldNextGetAfterRead();
        var older = _chain.Chain.GetAsync<Product, int>(1).AsTask();
        await read.WaitUntilEnteredAsync();
        var put = _source.HoldNextPutBeforeRunning();
        var write = _chain.Chain.PutAsync(TestProducts.New(1, "v2")).AsTask();
        await put.WaitUntilEnteredAsync();

        var during = _chain.Chain.GetAsync<Product, int>(1).AsTask();
        await during;
        put.Release();
        read.Release();
        await Task.WhenAll(older, write);

        Assert.That(SourceReads(), Has.Count.EqualTo(2), "the call made during the write read for itself");
        Assert.That((await _chain.Chain.GetAsync<Product, int>(1))?.Name, Is.EqualTo("v2"));
    }

    [Test]
    public async Task GetManyAsync_OverlappingBatches_ReadEachKeyOnce()
    {
        for (var id = 1; id <= 12; id++)
        {
            await _chain.Memory[1].PutAsync(TestProducts.New(id));
        }

        var gate = _source.HoldNextGetAfterRead();
        var first = _chain.Chain.GetManyAsync<Product, int>([1, 2, 3, 4]).AsTask();
        await gate.WaitUntilEnteredAsync();
        var reads = new List<Task<IReadOnlyList<Product?>>> { first };
        for (var start = 2; start <= 9; start++)
        {
            reads.Add(_chain.Chain.GetManyAsync<Product, int>(Enumerable.Range(start, 4)).AsTask());
        }

        var single = _chain.Chain.GetAsync<Product, int>(3).AsTask();
        gate.Release();

        foreach (var read in reads)
        {
            Assert.That((await read).Select(p => p?.Id), Has.All.Not.Null);
        }

        Assert.That((await single)?.Id, Is.EqualTo(3));
        var asked = SourceReads().SelectMany(c => c.Keys).Select(k => k.Encode()).ToList();
        Assert.That(asked, Is.Unique, "no key was read from the source twice");
        Assert.That(asked, Has.Count.EqualTo(12));
    }

    private IReadOnlyList<StoreCall> SourceReads() => [.. _chain.CallsTo(1).Where(c => (c.Operation & StoreOperation.Reads) != 0)];
}
