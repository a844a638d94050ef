using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 7, item 12: after a Redis store was disposed, a read failed as an outage (an open circuit or a connection
/// error, depending on timing) and a put was silently skipped. Every call now throws <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class Issue7DisposedRedisStoreTests : RedisFixture
{
    [Test]
    public async Task EveryCall_AfterDisposeAsync_ThrowsObjectDisposedException([Values] bool ownsConnection)
    {
        var product = TestStores.NewProduct();
        RedisStore store;
        if (ownsConnection)
        {
            store = await RedisStore.ConnectAsync(new RedisStoreOptions { Configuration = RedisTestEnvironment.ConnectionString, KeyPrefix = TestStores.UniquePrefix() });
        }
        else
        {
            store = TestStores.Create(_connection);
        }

        await store.PutAsync(product);
        await store.DisposeAsync();

        AssertEveryCallThrows(store, product);
    }

    [Test]
    public void EveryCall_AfterDispose_ThrowsObjectDisposedException()
    {
        var store = TestStores.Create(_connection);
        store.Dispose();

        AssertEveryCallThrows(store, TestStores.NewProduct());
    }

    private static void AssertEveryCallThrows(RedisStore store, Product product)
    {
        var calls = new Dictionary<string, Func<Task>>
        {
            ["get"] = async () => await store.GetAsync<Product, int>(product.Id),
            ["get by alternate key"] = async () => await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)),
            ["get many"] = async () => await store.GetManyAsync<Product, int>([product.Id]),
            ["put"] = async () => await store.PutAsync(product),
            ["put many"] = async () => await store.PutManyAsync([product]),
            ["delete"] = async () => await store.DeleteAsync(product),
            ["delete many"] = async () => await store.DeleteManyAsync([EntityKey.For<Product>(product.Id)]),
            ["clear"] = async () => await store.ClearAsync(),
            ["clear type"] = async () => await store.ClearAsync(typeof(Product)),
        };

        Assert.Multiple(() =>
        {
            foreach (var (name, call) in calls)
            {
                var ex = Assert.ThrowsAsync<ObjectDisposedException>(() => call(), name);
                Assert.That(ex?.ObjectName, Does.Contain(nameof(RedisStore)), name);
            }
        });
    }
}
