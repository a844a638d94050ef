using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Stockpile.Internal;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9, the batch of 100 and the put: every key carried the type's full canonical name
/// (<c>stockpile:{Namespace.Type@Assembly|Id|i:42}</c>, 62–85 bytes), sent by every read and write and hashed by the put
/// script. A key now names the type by an 11-character token (a hash of that name; a pinned name stays as pinned), read
/// here on the wire with <c>SCAN</c>. Two types of one process sharing a token are refused; the earlier layout stays
/// available (<see cref="RedisKeyLayout.FullTypeNames"/>); and, for instances of earlier versions still reading that
/// layout during a rolling deployment, deletes, evictions (the SaveChanges interceptor's too) and puts also remove the
/// object's keys in the other layout, while reads never look there.
/// </summary>
[TestFixture(false, TestName = "Issue9ShortKeyTests(server)")]
[TestFixture(true, TestName = "Issue9ShortKeyTests(cluster)")]
public sealed class Issue9ShortKeyTests(bool cluster)
{
    // TypeNames.HashToken of Product's canonical name, "Stockpile.Testing.Entities.Product@Stockpile.Testing": written
    // out so that a change of the hash (which would turn every deployed cache cold) fails here.
    private const string ProductToken = "D8OSJnkGn-o";

    // The token of Victim's canonical name ("Stockpile.Redis.Tests.Issues.Issue9ShortKeyTests+Victim@Stockpile.Redis.Tests"),
    // pinned by Impostor as its name: the two types collide.
    private const string VictimToken = "qtxOU3wym3s";

    private ConnectionMultiplexer _connection = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _connection = await RedisTestEnvironment.ConnectAsync(cluster);

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await _connection.DisposeAsync();

    [Test]
    public async Task Put_DefaultLayout_KeysOnTheWireNameTheTypeByItsShortToken()
    {
        await using var store = TestStores.Create(_connection);
        var prefix = store.KeyPrefixForTests;
        var product = TestStores.NewProduct();

        await store.PutAsync(product);

        var keys = await TestStores.KeysUnderAsync(_connection, prefix);
        Assert.Multiple(() =>
        {
            Assert.That(StockpileEntityType.For<Product>().KeyToken, Is.EqualTo(ProductToken).And.EqualTo(TypeNames.HashToken(StockpileEntityType.For<Product>().CanonicalName)));
            Assert.That(keys, Is.EquivalentTo(new[]
            {
                $"{prefix}{{{ProductToken}|Id|i:{product.Id}}}",
                $"{prefix}{{{ProductToken}|Id|i:{product.Id}}}#alts",
                $"{prefix}{{{ProductToken}|Sku|s:{product.Sku}}}",
            }));
            Assert.That(keys.Max(k => k.Length - prefix.Length), Is.LessThanOrEqualTo(11 + 2 + "|Sku|s:".Length + product.Sku.Length + 5), "the token, braces, key name and value (and #alts)");
        });
    }

    [Test]
    public async Task Reads_DefaultLayout_FindWhatTheyWroteByEveryPath()
    {
        await using var store = TestStores.Create(_connection);
        var products = Enumerable.Range(0, 20).Select(_ => TestStores.NewProduct()).ToList();
        await store.PutManyAsync(products);

        // Twice: the first call of a store connects through the general path, the next ones take the short one.
        for (var round = 0; round < 2; round++)
        {
            Assert.That((await store.GetAsync<Product, int>(products[0].Id))?.Name, Is.EqualTo(products[0].Name), "by primary key value");
            Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), products[1].Sku)))?.Name, Is.EqualTo(products[1].Name), "by alternate key");
            Assert.That((await store.GetManyAsync<Product, int>([.. products.Select(p => p.Id)])).Select(p => p?.Name), Is.EqualTo(products.Select(p => p.Name)), "batch by primary key values");
            Assert.That((await store.GetManyAsync<Product>([.. products.Select(p => EntityKey.Of<Product>(nameof(Product.Sku), p.Sku))])).Select(p => p?.Name), Is.EqualTo(products.Select(p => p.Name)), "batch by alternate keys");
        }
    }

    [Test]
    public async Task Put_PinnedType_KeysUseThePinnedName()
    {
        await using var store = TestStores.Create(_connection);
        var item = new PinnedItem { Id = TestStores.NextId() };

        await store.PutAsync(item);

        Assert.That(await TestStores.KeysUnderAsync(_connection, store.KeyPrefixForTests), Is.EqualTo(new[] { $"{store.KeyPrefixForTests}{{issue9.pinned|Id|i:{item.Id}}}" }));
        Assert.That((await store.GetAsync<PinnedItem, int>(item.Id))?.Id, Is.EqualTo(item.Id));
    }

    [Test]
    public async Task FirstUse_TypeWhoseTokenAnotherTypeHolds_IsRefusedNamingBoth()
    {
        Assert.That(StockpileEntityType.For<Victim>().KeyToken, Is.EqualTo(VictimToken));
        await using var store = TestStores.Create(_connection);

        var refused = Assert.Throws<StockpileKeyException>(() => StockpileEntityType.For<Impostor>());
        var put = Assert.ThrowsAsync<StockpileKeyException>(async () => await store.PutAsync(new Impostor { Id = 1 }));

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Does.Contain(VictimToken).And.Contain(typeof(Victim).FullName!).And.Contain(typeof(Impostor).FullName!));
            Assert.That(refused.EntityType, Is.EqualTo(typeof(Impostor)));
            Assert.That(put!.Message, Does.Contain(typeof(Victim).FullName!), "every use is refused, not only the first");
        });
        Assert.That(await TestStores.KeysUnderAsync(_connection, store.KeyPrefixForTests), Is.Empty);
    }

    [Test]
    public async Task FullTypeNamesLayout_WritesTheEarlierKeys_AndReadsWhatTheyHold()
    {
        await using var store = TestStores.Create(_connection, o => o.KeyLayout = RedisKeyLayout.FullTypeNames);
        var product = TestStores.NewProduct();

        await store.PutAsync(product);

        var prefix = store.KeyPrefixForTests;
        Assert.That(await TestStores.KeysUnderAsync(_connection, prefix), Is.EquivalentTo(new[]
        {
            $"{prefix}{{Stockpile.Testing.Entities.Product@Stockpile.Testing|Id|i:{product.Id}}}",
            $"{prefix}{{Stockpile.Testing.Entities.Product@Stockpile.Testing|Id|i:{product.Id}}}#alts",
            $"{prefix}{{Stockpile.Testing.Entities.Product@Stockpile.Testing|Sku|s:{product.Sku}}}",
        }));
        for (var round = 0; round < 2; round++)
        {
            Assert.That((await store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
            Assert.That((await store.GetManyAsync<Product, int>([product.Id]))[0]?.Name, Is.EqualTo(product.Name));
            Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)))?.Name, Is.EqualTo(product.Name));
        }
    }

    [Test]
    public async Task Get_ObjectCachedOnlyInTheOtherLayout_IsAMiss()
    {
        var prefix = TestStores.UniquePrefix();
        await using var earlier = TestStores.Create(_connection, Earlier(prefix));
        await using var store = TestStores.Create(_connection, Moving(prefix));
        var product = TestStores.NewProduct();
        await earlier.PutAsync(product);

        Assert.Multiple(async () =>
        {
            Assert.That(await store.GetAsync<Product, int>(product.Id), Is.Null, "a read never falls back to the other layout");
            Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);
            Assert.That(await earlier.GetAsync<Product, int>(product.Id), Is.Not.Null, "and leaves it there");
        });
    }

    [Test]
    public async Task Delete_ByPrimaryOrAlternateKey_RemovesTheOtherLayoutsKeysToo([Values] bool byAlternateKey)
    {
        var prefix = TestStores.UniquePrefix();
        await using var earlier = TestStores.Create(_connection, Earlier(prefix));
        await using var store = TestStores.Create(_connection, Moving(prefix));
        var product = TestStores.NewProduct();
        await store.PutAsync(product); // first: its put would remove what the earlier layout holds
        await earlier.PutAsync(product);
        Assert.That(await TestStores.KeysUnderAsync(_connection, prefix), Has.Count.EqualTo(6), "both layouts hold the object: value, pointer, side record each");

        var key = byAlternateKey ? EntityKey.Of<Product>(nameof(Product.Sku), product.Sku) : EntityKey.For<Product>(product.Id);
        Assert.That(await store.DeleteAsync(key), Is.True);

        Assert.Multiple(async () =>
        {
            Assert.That(await TestStores.KeysUnderAsync(_connection, prefix), Is.Empty, "the object, its pointers and side records, in both layouts");
            Assert.That(await earlier.GetAsync<Product, int>(product.Id), Is.Null, "an instance reading the earlier layout no longer serves it");
            Assert.That(await store.DeleteAsync(key), Is.False, "a delete counts the objects of its own layout only");
        });
    }

    [Test]
    public async Task DeleteMany_ObjectsOnlyInTheOtherLayout_RemovedButNotCounted()
    {
        var prefix = TestStores.UniquePrefix();
        await using var earlier = TestStores.Create(_connection, Earlier(prefix));
        await using var store = TestStores.Create(_connection, Moving(prefix));
        var products = Enumerable.Range(0, 30).Select(_ => TestStores.NewProduct()).ToList();
        await earlier.PutManyAsync(products);
        await store.PutManyAsync(products.Take(10).ToList());

        var removed = await store.DeleteManyAsync([.. products.Select(p => EntityKey.For<Product>(p.Id))]);

        Assert.That(removed, Is.EqualTo(10));
        Assert.That(await TestStores.KeysUnderAsync(_connection, prefix), Is.Empty, "on a cluster, slot by slot: no CROSSSLOT");
    }

    [Test]
    public async Task Put_ByACaller_RemovesTheOtherLayoutsStaleCopy([Values] bool batch)
    {
        var prefix = TestStores.UniquePrefix();
        await using var earlier = TestStores.Create(_connection, Earlier(prefix));
        await using var store = TestStores.Create(_connection, Moving(prefix));
        var product = TestStores.NewProduct("v1");
        await earlier.PutAsync(product);

        var changed = new Product { Id = product.Id, Sku = product.Sku + "-new", Name = "v2", Price = product.Price };
        if (batch)
        {
            await store.PutManyAsync([changed]);
        }
        else
        {
            await store.PutAsync(changed);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await earlier.GetAsync<Product, int>(product.Id), Is.Null, "the earlier layout's v1 is gone");
            Assert.That(await earlier.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null, "and its old pointer");
            Assert.That((await store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v2"));
            Assert.That(await TestStores.KeysUnderAsync(_connection, prefix), Has.Count.EqualTo(3), "only this layout's value, pointer and side record");
        });
    }

    [Test]
    public async Task EvictOtherKeyLayoutOff_DeleteAndPut_LeaveTheOtherLayoutAlone()
    {
        var prefix = TestStores.UniquePrefix();
        await using var earlier = TestStores.Create(_connection, Earlier(prefix));
        await using var store = TestStores.Create(_connection, o =>
        {
            o.KeyPrefix = prefix;
            o.EvictOtherKeyLayout = false;
        });
        var products = new[] { TestStores.NewProduct(), TestStores.NewProduct() };
        await earlier.PutManyAsync(products);

        await store.DeleteAsync(EntityKey.For<Product>(products[0].Id));
        await store.PutAsync(products[1]);

        Assert.That((await earlier.GetManyAsync<Product, int>([.. products.Select(p => p.Id)])).Select(p => p?.Name), Is.EqualTo(products.Select(p => p.Name)));
    }

    [Test]
    public async Task Delete_FullTypeNamesLayout_RemovesTheCompactKeysToo()
    {
        var prefix = TestStores.UniquePrefix();
        await using var compact = TestStores.Create(_connection, o =>
        {
            o.KeyPrefix = prefix;
            o.EvictOtherKeyLayout = false;
        });
        await using var store = TestStores.Create(_connection, o =>
        {
            o.KeyPrefix = prefix;
            o.EvictOtherKeyLayout = true;
            o.KeyLayout = RedisKeyLayout.FullTypeNames;
        });
        var product = TestStores.NewProduct();
        await compact.PutAsync(product);

        await store.DeleteAsync(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku));

        Assert.That(await TestStores.KeysUnderAsync(_connection, prefix), Is.Empty, "the eviction works both ways: either layout's instances may run first");
    }

    [Test]
    public async Task ClearType_RemovesTheTypesKeysInBothLayouts()
    {
        var prefix = TestStores.UniquePrefix();
        await using var earlier = TestStores.Create(_connection, Earlier(prefix));
        await using var store = TestStores.Create(_connection, Moving(prefix));
        var product = TestStores.NewProduct();
        var item = new PinnedItem { Id = TestStores.NextId() };
        await store.PutAsync(product);
        await store.PutAsync(item);
        await earlier.PutAsync(product);
        Assert.That(await TestStores.KeysUnderAsync(_connection, prefix), Has.Count.EqualTo(7), "both layouts hold the product, and the pinned item is there");

        await store.ClearAsync(typeof(Product));

        Assert.That(await TestStores.KeysUnderAsync(_connection, prefix), Is.EqualTo(new[] { $"{prefix}{{issue9.pinned|Id|i:{item.Id}}}" }), "another type's keys stay");
    }

    [Test]
    public async Task SaveChanges_Interceptor_EvictsTheCopyAnEarlierLayoutsInstanceCached()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1]);
        var (redisA, redisB) = (RedisTestEnvironment.ConnectionString, RedisTestEnvironment.ConnectionString);
        if (cluster)
        {
            var (nodes, _) = await Cluster.RedisClusterEnvironment.GetAsync();
            (redisA, redisB) = (nodes.Nodes[0].ConnectionString, nodes.Nodes[1].ConnectionString);
        }

        // A runs this version; B stands for an instance of an earlier one, reading and writing full type names.
        await using var pair = await AppPair.StartAsync(redisA, redisB, EfCoreApps.AddDatabaseTier, EfCoreApps.Database(database), o => o.EvictOtherKeyLayout = true, o =>
        {
            o.KeyLayout = RedisKeyLayout.FullTypeNames;
            o.EvictOtherKeyLayout = false;
        });
        var (a, b) = (pair.A, pair.B);
        Assert.That((await b.Chain.GetAsync<Row, int>(1))?.Name, Is.EqualTo("v0"));
        await RedisBackplaneTests.WaitUntilAsync(async () => await b.Redis.GetAsync<Row, int>(1) is not null);

        await EfCoreApps.RenameAsync(a, 1, "v1");

        Assert.That(await a.Chain.SettleAsync(CancellationToken.None), Is.True, "Redis's eviction follows the save (EvictSharedTiersInBackground, the default)");
        Assert.That(await b.Redis.GetAsync<Row, int>(1), Is.Null, "the commit's eviction removed B's layout's copy");
        await RedisBackplaneTests.WaitUntilAsync(async () => (await b.Chain.GetAsync<Row, int>(1))?.Name == "v1");
    }

    [Test]
    public async Task Options_BoundFromConfiguration_AndAnUndefinedLayoutRefused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stockpile:Redis:Configuration"] = RedisTestEnvironment.ConnectionString,
            ["Stockpile:Redis:KeyLayout"] = "FullTypeNames",
            ["Stockpile:Redis:EvictOtherKeyLayout"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddStockpile().AddMemoryStore().AddRedisStore(configuration.GetSection("Stockpile:Redis"));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<RedisStoreOptions>>().Value;

        var refused = Assert.Throws<ArgumentException>(() => RedisStore.Create(_connection, new RedisStoreOptions { KeyLayout = (RedisKeyLayout)7 }));

        Assert.Multiple(() =>
        {
            Assert.That(options.KeyLayout, Is.EqualTo(RedisKeyLayout.FullTypeNames));
            Assert.That(options.EvictOtherKeyLayout, Is.True);
            Assert.That(new RedisStoreOptions().KeyLayout, Is.EqualTo(RedisKeyLayout.Compact), "the default");
            Assert.That(new RedisStoreOptions().EvictOtherKeyLayout, Is.False, "the default: on only while a fleet moves between layouts");
            Assert.That(refused!.Message, Does.Contain("KeyLayout").And.Contain("7"));
        });
    }

    /// <summary>This version's instance while its fleet moves from the earlier layout: it evicts the other layout too.</summary>
    private static Action<RedisStoreOptions> Moving(string prefix) => o =>
    {
        o.KeyPrefix = prefix;
        o.EvictOtherKeyLayout = true;
    };

    private static Action<RedisStoreOptions> Earlier(string prefix) => o =>
    {
        o.KeyPrefix = prefix;
        o.KeyLayout = RedisKeyLayout.FullTypeNames;
        o.EvictOtherKeyLayout = false;
    };

    [StockpileType("issue9.pinned")]
    public sealed class PinnedItem
    {
        [StockpileKey]
        public int Id { get; set; }
    }

    public sealed class Victim
    {
        [StockpileKey]
        public int Id { get; set; }
    }

    [StockpileType(VictimToken)]
    public sealed class Impostor
    {
        [StockpileKey]
        public int Id { get; set; }
    }
}
