using Stockpile.Redis.Internal;
using StackExchange.Redis;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 7, item 4: a Redis clear deleted keys that were not the store's. With prefix <c>app1</c>, a clear of a type
/// deleted prefix <c>app10</c>'s objects and a foreign key <c>app1session:abc</c>; with prefix <c>shop:</c>, a full clear
/// deleted tenant <c>shop:eu:</c>'s data; the recovery after a missed-key overflow did the same by itself; and every
/// unknown type name a clear read from Redis stayed in a process-wide dictionary.
/// </summary>
[NonParallelizable]
public sealed class Issue7RedisClearTests : RedisFixture
{
    [Test]
    public async Task ClearAsync_Type_PrefixStartsAnotherPrefix_KeepsTheOtherPrefixAndForeignKeys()
    {
        var root = TestStores.UniquePrefix();
        await using var app1 = TestStores.Create(_connection, o => o.KeyPrefix = root + "app1");
        await using var app10 = TestStores.Create(_connection, o => o.KeyPrefix = root + "app10");
        var product = TestStores.NewProduct();
        await app1.PutAsync(product);
        await app10.PutAsync(product);
        var foreign = root + "app1session:abc";
        await _connection.GetDatabase().StringSetAsync(foreign, "someone else's");

        await app1.ClearAsync(typeof(Product));

        Assert.Multiple(async () =>
        {
            Assert.That(await app1.GetAsync<Product, int>(product.Id), Is.Null, "app1's own product is cleared");
            Assert.That(await app10.GetAsync<Product, int>(product.Id), Is.Not.Null, "app10's product is not app1's");
            Assert.That(await app10.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Not.Null, "nor is its pointer");
            Assert.That(await ExistsAsync(foreign), Is.True, "a key the store did not write is never removed");
        });
    }

    [Test]
    public async Task ClearAsync_All_TenantPrefixUnderThePrefix_KeepsTheTenantsData()
    {
        var root = TestStores.UniquePrefix();
        await using var shop = TestStores.Create(_connection, o => o.KeyPrefix = root + "shop:");
        await using var tenant = TestStores.Create(_connection, o => o.KeyPrefix = root + "shop:eu:");
        var product = TestStores.NewProduct();
        await shop.PutAsync(product);
        await tenant.PutAsync(product);
        var foreign = root + "shop:cart:42";
        await _connection.GetDatabase().StringSetAsync(foreign, "a cart");

        await shop.ClearAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await shop.GetAsync<Product, int>(product.Id), Is.Null);
            Assert.That(await tenant.GetAsync<Product, int>(product.Id), Is.Not.Null, "the tenant's data is not the shop's");
            Assert.That(await tenant.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Not.Null);
            Assert.That(await ExistsAsync(foreign), Is.True, "a key the store did not write is never removed");
        });
    }

    [Test]
    public async Task MissedKeyOverflow_Recovery_KeepsOtherPrefixesAndForeignKeys()
    {
        var root = TestStores.UniquePrefix();
        var faulty = new FaultyRedis(_connection);
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var app1 = TestStores.Create(faulty, o =>
        {
            o.KeyPrefix = root + "app1";
            o.MissedKeyCapacity = 1;
        }, factory);
        await using var app10 = TestStores.Create(_connection, o => o.KeyPrefix = root + "app10");
        var mine = TestStores.NewProduct();
        var theirs = TestStores.NewProduct();
        await app1.PutAsync(mine);
        await app10.PutAsync(theirs);
        var foreign = root + "app1session:abc";
        await _connection.GetDatabase().StringSetAsync(foreign, "someone else's");

        faulty.Fault = FaultyRedis.Down;
        await app1.PutManyAsync([TestStores.NewProduct(), TestStores.NewProduct()]);
        Assert.That(logs.Entries.Select(e => e.EventId.Name), Does.Contain("MissedKeysOverflowed"), "the skipped writes overflowed the missed-key set");
        faulty.Fault = null;

        Assert.That(await app1.GetAsync<Product, int>(mine.Id), Is.Null, "the overflow clean-up removed app1's keys before the read");
        Assert.That(logs.Entries.Select(e => e.EventId.Name), Does.Contain("MissedKeysCleared"));
        Assert.Multiple(async () =>
        {
            Assert.That(await app10.GetAsync<Product, int>(theirs.Id), Is.Not.Null, "app10's product survives app1's recovery");
            Assert.That(await ExistsAsync(foreign), Is.True, "a key the store did not write survives app1's recovery");
        });
    }

    [Test]
    public async Task ClearAsync_Type_ManyUnknownTypeNamesUnderThePrefix_RemovesThem_KeepsNoProcessWideRecordOfThem()
    {
        const int Count = 20_000;
        await using var store = TestStores.Create(_connection);
        var prefix = store.KeyPrefixForTests;
        await store.ClearAsync(typeof(Product)); // warm up: JIT, pools
        var keys = Enumerable.Range(0, Count)
            .Select(i => RedisKeyPatterns.ObjectKey(prefix, $"Some.Other.Application.Namespace.Renamed{i}.OldEntity|Id|i:{i}"))
            .ToArray();
        foreach (var chunk in keys.Chunk(1000))
        {
            await _connection.GetDatabase().StringSetAsync([.. chunk.Select(k => new KeyValuePair<RedisKey, RedisValue>(k, "V"))]);
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        await store.ClearAsync(typeof(Product));
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.That(await TestStores.KeysUnderAsync(_connection, prefix), Is.Empty, "keys of types this process cannot resolve are removed (a cache may lose more, never less)");
        Assert.That(retained, Is.LessThan(1_000_000), $"{Count} unknown type names must not stay in memory after the clear ({retained:N0} bytes did)");
    }

    private async Task<bool> ExistsAsync(string key) =>
        await _connection.GetDatabase().KeyExistsAsync(key);
}
