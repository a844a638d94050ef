using StackExchange.Redis;
using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.KeyValue;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, torture case 7 (foreign or corrupt bytes are a miss): an object under a primary key that does not hold that
/// key (another object's bytes, or JSON of another shape read with default values), or a pointer there, is foreign to
/// the key. The store's own get and the chain's read used to disagree on it (the get read it twice and missed, the
/// chain's read missed), and both left it in place, so it cost every read. Now one reader serves both: it is a miss,
/// logged once (<c>ForeignEntry</c>) and removed, never another object.
/// </summary>
[TestFixture(false, TestName = "Issue12ForeignObjectReadTests(server)")]
[TestFixture(true, TestName = "Issue12ForeignObjectReadTests(cluster)")]
public sealed class Issue12ForeignObjectReadTests(bool cluster) : RedisFixture
{
    private protected override bool RunsOnCluster => cluster;

    /// <summary>What no put writes under a primary key, though each reads as an object or a pointer.</summary>
    public enum Foreign
    {
        /// <summary>Another product's bytes, in the short form a put writes.</summary>
        AnotherObject,

        /// <summary>JSON of another shape, in the named form: a product with an <c>Id</c> of 0.</summary>
        OtherShape,

        /// <summary>A pointer to another product's key, as only an alternate key holds.</summary>
        PointerElsewhere,
    }

    [TestCase(Foreign.AnotherObject)]
    [TestCase(Foreign.OtherShape)]
    [TestCase(Foreign.PointerElsewhere)]
    public Task GetAsyncByPrimaryKey_ObjectNotHoldingTheKey_MissRemovedAndLoggedOnce(Foreign foreign) =>
        AssertMissedRemovedAndLoggedOnceAsync(foreign, static redis => redis);

    [TestCase(Foreign.AnotherObject)]
    [TestCase(Foreign.OtherShape)]
    [TestCase(Foreign.PointerElsewhere)]
    public Task ChainGetAsync_ObjectNotHoldingTheKey_NothingBelow_MissRemovedAndLoggedOnce(Foreign foreign) =>
        // Nothing below to back-fill from: the foreign value used to stay, and cost every read of the chain.
        AssertMissedRemovedAndLoggedOnceAsync(foreign, static redis => new ChainedStore([redis, new FakeDatabase()]));

    [TestCase(Foreign.AnotherObject)]
    [TestCase(Foreign.OtherShape)]
    [TestCase(Foreign.PointerElsewhere)]
    public async Task GetManyAsyncByPrimaryKey_ObjectNotHoldingItsKey_MissRemovedAndLoggedOnce_OthersFound(Foreign foreign)
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var store = TestStores.Create(_connection, loggerFactory: factory);
        var good = TestStores.NewProduct();
        await store.PutAsync(good);
        var (product, key) = await PlantForeignObjectAsync(store, foreign);

        var found = await store.GetManyAsync<Product, int>([good.Id, product.Id]);

        Assert.Multiple(async () =>
        {
            Assert.That(found.Select(p => p?.Name), Is.EqualTo(new[] { good.Name, null }));
            Assert.That(await _connection.GetDatabase().KeyExistsAsync(key), Is.False, "the foreign value is removed");
            Assert.That(ForeignEntries(logs), Is.EqualTo(1));
        });
    }

    [TestCase(Foreign.AnotherObject)]
    [TestCase(Foreign.OtherShape)]
    [TestCase(Foreign.PointerElsewhere)]
    public async Task ChainGetAsync_ObjectNotHoldingTheKey_ObjectBelow_FindsItAndLogsOnce(Foreign foreign)
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var redis = TestStores.Create(_connection, loggerFactory: factory);
        var source = new FakeDatabase();
        var chain = new ChainedStore([redis, source]);
        var (product, key) = await PlantForeignObjectAsync(redis, foreign);
        await source.PutAsync(product);

        var first = await chain.GetAsync<Product, int>(product.Id);
        var second = await chain.GetAsync<Product, int>(product.Id);
        await chain.SettleAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(first?.Name, Is.EqualTo(product.Name), "the object from below, never the foreign one");
            Assert.That(second?.Name, Is.EqualTo(product.Name));
            Assert.That((await redis.GetAsync<Product, int>(product.Id))?.Name, Is.Null.Or.EqualTo(product.Name), "Redis holds nothing, or the object back-filled");
            Assert.That(ForeignEntries(logs), Is.EqualTo(1));
        });
    }

    /// <summary>Reads the foreign value's key twice through <paramref name="readerOver"/> (the store itself, or a chain over it): a miss both times, removed and logged once.</summary>
    private async Task AssertMissedRemovedAndLoggedOnceAsync(Foreign foreign, Func<RedisStore, ObjectStore> readerOver)
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var redis = TestStores.Create(_connection, loggerFactory: factory);
        var reader = readerOver(redis);
        var (product, key) = await PlantForeignObjectAsync(redis, foreign);

        var first = await reader.GetAsync<Product, int>(product.Id);
        var second = await reader.GetAsync<Product, int>(product.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(first, Is.Null, "never another object");
            Assert.That(second, Is.Null);
            Assert.That(await _connection.GetDatabase().KeyExistsAsync(key), Is.False, "the foreign value is removed");
            Assert.That(ForeignEntries(logs), Is.EqualTo(1), "logged once: the second read finds nothing");
        });
    }

    private static int ForeignEntries(CapturingLoggerProvider logs) => logs.Entries.Count(e => e.EventId.Name == "ForeignEntry");

    /// <summary>
    /// Connects <paramref name="store"/> (so that its reads take their direct paths) and puts <paramref name="foreign"/>
    /// under a new product's primary key.
    /// </summary>
    private async Task<(Product Product, RedisKey Key)> PlantForeignObjectAsync(RedisStore store, Foreign foreign)
    {
        var product = TestStores.NewProduct();
        var other = TestStores.NewProduct("someone else");
        await store.PutAsync(other);
        Assert.That((await store.GetAsync<Product, int>(other.Id))?.Name, Is.EqualTo(other.Name));
        var otherKey = TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Product>(other.Id));
        var bytes = foreign switch
        {
            Foreign.AnotherObject => StoredPayload.Value(other, SystemTextJsonStockpileSerializer.Default),
            Foreign.OtherShape => NamedPayload.Of(typeof(Product), """{"Unrelated":[1,2,3]}"""u8),
            _ => StoredPayload.Pointer(otherKey),
        };
        var key = (RedisKey)TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Product>(product.Id));
        await _connection.GetDatabase().StringSetAsync(key, bytes);
        return (product, key);
    }
}
