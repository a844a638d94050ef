using StackExchange.Redis;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests;

/// <summary>
/// Two instances (two stores, one prefix): B misses, reads the database, and back-fills later; A's commit and eviction
/// in between must win, since B's back-fill may hold the state from before the commit.
/// </summary>
public sealed class RedisStoreLeaseTests
{
    private ConnectionMultiplexer _connection = null!;
    private RedisStore _a = null!;
    private RedisStore _b = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        var prefix = TestStores.UniquePrefix();
        _a = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
        _b = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Test]
    public async Task BackfillAfterAnotherInstanceEvicted_EvictsInsteadOfWriting()
    {
        var old = TestStores.NewProduct("old");
        Assert.That(await _b.GetAsync<Product, int>(old.Id), Is.Null, "B misses and takes a lease");

        await _a.DeleteAsync(EntityKey.For<Product>(old.Id));
        await _b.PutAsync(old);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "B's back-fill of what it read before A's commit was refused");
    }

    [Test]
    public async Task BackfillAfterAnotherInstancePut_LeavesNeitherValue()
    {
        var old = TestStores.NewProduct("old");
        Assert.That(await _b.GetManyAsync<Product, int>([old.Id]), Has.All.Null);

        await _a.PutAsync(new Product { Id = old.Id, Sku = old.Sku, Name = "new" });
        await _b.PutAsync(old);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "a miss: safe, where keeping either value could be stale");
        Assert.That(await _a.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), old.Sku)), Is.Null);
    }

    [Test]
    public async Task BackfillWithItsLease_IsWritten_AndEndsTheLease()
    {
        var product = TestStores.NewProduct("read");
        Assert.That(await _b.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);

        await _b.PutAsync(product);

        Assert.That((await _a.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)))?.Name, Is.EqualTo("read"));
        var keys = await TestStores.KeysUnderAsync(_connection, _b.KeyPrefixForTests, withLeases: true);
        Assert.That(keys.Where(k => k.EndsWith("|#lease", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task PutWithoutMiss_IsWrittenAsGiven()
    {
        var product = TestStores.NewProduct("given");

        await _a.PutAsync(product);

        Assert.That((await _b.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("given"));
    }
}
