using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests;

/// <summary>
/// Two instances (two stores, one prefix): B misses, reads the database, and back-fills later with its read's lease
/// (the chain-to-tier protocol, called directly); A's commit and eviction in between must win, by whichever key A
/// knew the object, since B's back-fill may hold the state from before the commit.
/// </summary>
public sealed class RedisStoreLeaseTests : RedisPrefixFixture
{
    private RedisStore _a = null!;
    private RedisStore _b = null!;

    [SetUp]
    public void CreateStores() => (_a, _b) = (CreateStore(), CreateStore());

    [Test]
    public async Task BackfillAfterAnotherInstanceEvicted_EvictsInsteadOfWriting()
    {
        var old = TestStores.NewProduct("old");
        var read = await _b.ReadForChainAsync(EntityKey.For<Product>(old.Id), default);
        Assert.That(read.Value, Is.Null, "B misses; its lease is the time of its read");

        await _a.DeleteAsync(EntityKey.For<Product>(old.Id));
        await _b.BackfillUntypedAsync([old], read.Lease, default);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "B's back-fill of what it read before A's commit was refused");
    }

    [Test]
    public async Task BackfillAfterAnotherInstancePut_LeavesNeitherValue()
    {
        var old = TestStores.NewProduct("old");
        var read = await _b.ReadManyForChainAsync([EntityKey.For<Product>(old.Id)], default);
        Assert.That(read.Value, Has.All.Null);

        await _a.PutAsync(new Product { Id = old.Id, Sku = old.Sku, Name = "new" });
        await _b.BackfillUntypedAsync([old], read.Lease, default);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "a miss: safe, where keeping either value could be stale");
        Assert.That(await _a.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), old.Sku)), Is.Null);
    }

    [Test]
    public async Task BackfillAfterAnotherInstanceDeletedByAnotherKey_EvictsInsteadOfWriting([Values] bool readBySku)
    {
        var old = TestStores.NewProduct("old");
        var byId = EntityKey.For<Product>(old.Id);
        var bySku = EntityKey.Of<Product>(nameof(Product.Sku), old.Sku);
        var read = await _b.ReadForChainAsync(readBySku ? bySku : byId, default);

        await _a.DeleteAsync(readBySku ? byId : bySku);
        await _b.BackfillUntypedAsync([old], read.Lease, default);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "the delete by the other key, while Redis held nothing, fenced it");
    }

    [Test]
    public async Task BackfillWithoutLease_EvictsInsteadOfWriting()
    {
        var product = TestStores.NewProduct("unvouched");

        await _b.BackfillUntypedAsync([product], null, default);

        Assert.That(await _a.GetAsync<Product, int>(product.Id), Is.Null, "a back-fill after a failed read is refused");
    }

    [Test]
    public async Task BackfillAfterClear_EvictsInsteadOfWriting([Values] bool ofType)
    {
        var old = TestStores.NewProduct("old");
        var read = await _b.ReadForChainAsync(EntityKey.For<Product>(old.Id), default);

        await _a.ClearAsync(ofType ? typeof(Product) : null);
        await _b.BackfillUntypedAsync([old], read.Lease, default);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null);
    }

    [Test]
    public async Task BackfillWithItsLease_IsWritten_AndLeavesNoKeyBehindItsRead()
    {
        var product = TestStores.NewProduct("read");
        var read = await _b.ReadForChainAsync(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku), default);
        Assert.That(await TestStores.KeysUnderAsync(_connection, _b.KeyPrefixForTests, withLeases: true), Is.Empty, "a read writes nothing");

        await _b.BackfillUntypedAsync([product], read.Lease, default);

        Assert.That((await _a.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)))?.Name, Is.EqualTo("read"));
    }

    [Test]
    public async Task BackfillAfterOtherInstancesWriteOfAnotherObject_IsWritten()
    {
        var product = TestStores.NewProduct("read");
        var read = await _b.ReadForChainAsync(EntityKey.For<Product>(product.Id), default);

        await _a.PutAsync(TestStores.NewProduct("unrelated"));
        await _a.DeleteAsync(EntityKey.For<Product>(TestStores.NextId()));
        await _b.BackfillUntypedAsync([product], read.Lease, default);

        Assert.That((await _a.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("read"), "fences are per key, not per type");
    }

    [Test]
    public async Task PutWithoutMiss_IsWrittenAsGiven()
    {
        var product = TestStores.NewProduct("given");

        await _a.PutAsync(product);

        Assert.That((await _b.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("given"));
    }
}
