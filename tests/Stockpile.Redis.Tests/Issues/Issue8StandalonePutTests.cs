using StackExchange.Redis;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 8: a Redis store used on its own dropped a put: a get that missed took a lease, a delete ended it, and the
/// put, taken for that read's back-fill, evicted instead of writing. A put the caller asks for is always written; only
/// a chain's back-fill carries a read's lease.
/// </summary>
public sealed class Issue8StandalonePutTests
{
    private ConnectionMultiplexer _connection = null!;
    private RedisStore _store = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        _store = TestStores.Create(_connection);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _store.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Test]
    public async Task PutAsync_AfterMissAndDelete_IsWritten([Values] bool bySku)
    {
        var product = TestStores.NewProduct("asked for");
        var key = bySku ? EntityKey.Of<Product>(nameof(Product.Sku), product.Sku) : EntityKey.For<Product>(product.Id);
        Assert.That(await _store.GetAsync<Product>(key), Is.Null);
        await _store.DeleteAsync(key);

        await _store.PutAsync(product);

        Assert.That((await _store.GetAsync<Product>(key))?.Name, Is.EqualTo("asked for"));
    }

    [Test]
    public async Task PutManyAsync_AfterBatchMissAndDelete_IsWritten()
    {
        var product = TestStores.NewProduct("asked for");
        Assert.That(await _store.GetManyAsync<Product, int>([product.Id]), Has.All.Null);
        await _store.DeleteAsync(EntityKey.For<Product>(product.Id));

        await _store.PutManyAsync([product, TestStores.NewProduct()]);

        Assert.That((await _store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("asked for"));
    }
}
