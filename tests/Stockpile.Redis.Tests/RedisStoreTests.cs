using System.Text;
using Stockpile.Redis.Internal;
using StackExchange.Redis;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests;

/// <summary>What the Redis store promises beyond the shared contract: round trips, lifetimes, prefixes, corrupt bytes, clears.</summary>
public sealed class RedisStoreTests
{
    private ConnectionMultiplexer _connection = null!;
    private CommandRecorder _commands = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        _commands = new CommandRecorder(_connection);
    }

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await _connection.DisposeAsync();

    [Test]
    public async Task GetManyAsync_ByPrimaryKeys_IsOneRoundTrip()
    {
        await using var store = TestStores.Create(_connection);
        var products = Enumerable.Range(0, 50).Select(_ => TestStores.NewProduct()).ToList();
        await store.PutManyAsync(products);
        await store.GetAsync<Product, int>(products[0].Id); // the server learns the read script
        _commands.Start();

        var found = await store.GetManyAsync<Product, int>(products.Select(p => p.Id));

        Assert.That(found.Select(p => p?.Name), Is.EqualTo(products.Select(p => p.Name)));
        Assert.That(_commands.Stop(), Is.EqualTo(new[] { "MGET" }), "one round trip: a plain batch read; only a chain's misses go through the lease script");
    }

    [Test]
    public async Task ConnectAsync_MakesAStoreThatOwnsItsConnection()
    {
        var product = TestStores.NewProduct();
        await using (var store = await RedisStore.ConnectAsync(new RedisStoreOptions { Configuration = RedisTestEnvironment.ConnectionString, KeyPrefix = TestStores.UniquePrefix() }))
        {
            await store.PutAsync(product);
            Assert.That((await store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
            Assert.That(store.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
        }

        var invalid = Assert.ThrowsAsync<ArgumentException>(async () => await RedisStore.ConnectAsync(new RedisStoreOptions { Configuration = "localhost", MissedKeyCapacity = 0 }));
        Assert.That(invalid!.Message, Does.Contain("MissedKeyCapacity"));
    }

    [Test]
    public async Task PutManyAndDeleteManyAsync_AreOneRoundTripEach()
    {
        // The store's own script per call: the other layout's eviction (a delete script pipelined with a put) is Issue9ShortKeyTests' subject.
        await using var store = TestStores.Create(_connection, o => o.EvictOtherKeyLayout = false);
        var warmUp = TestStores.NewProduct();
        await store.PutAsync(warmUp);
        await store.DeleteAsync(warmUp);
        var products = Enumerable.Range(0, 50).Select(_ => TestStores.NewProduct()).ToList();

        _commands.Start();
        await store.PutManyAsync(products);
        var putTrips = _commands.Stop().Length;
        _commands.Start();
        var deleted = await store.DeleteManyAsync(products.Select(p => EntityKey.Of<Product>(nameof(Product.Sku), p.Sku)));
        var deleteTrips = _commands.Stop().Length;

        Assert.Multiple(() =>
        {
            Assert.That(putTrips, Is.EqualTo(1), "one EVALSHA for the batch put (the script is already loaded)");
            Assert.That(deleteTrips, Is.EqualTo(1), "one EVALSHA for the batch delete");
            Assert.That(deleted, Is.EqualTo(50));
        });
        Assert.That(await TestStores.KeysUnderAsync(_connection, Prefix(store)), Is.Empty, "nothing left: no pointer, no side record");
    }

    [Test]
    public async Task PutAsync_ScriptUnknownToServer_FallsBackToEval()
    {
        // The put script alone (with the other layout's eviction, the delete script behind it falls back alike).
        await using var store = TestStores.Create(_connection, o => o.EvictOtherKeyLayout = false);
        await store.PutAsync(TestStores.NewProduct()); // the multiplexer knows the script's SHA1
        await _connection.GetServer(_connection.GetEndPoints()[0]).ScriptFlushAsync();
        _commands.Start();

        var product = TestStores.NewProduct();
        await store.PutAsync(product);

        Assert.That(_commands.Stop(), Is.EqualTo(new[] { "EVALSHA", "EVAL" }), "by SHA1 first; in full when the server had lost it");
        Assert.That((await store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
    }

    [Test]
    public async Task PutAsync_SetsTimeToLiveWithTheValue_OnEveryEntry()
    {
        await using var store = TestStores.Create(_connection, o =>
        {
            o.DefaultLifetime = TimeSpan.FromMinutes(30);
            o.LifetimeSelector = item => item is Product { Name: "forever" } ? ObjectLifetime.Never : ObjectLifetime.Default;
        });
        var expiring = TestStores.NewProduct();
        var forever = TestStores.NewProduct();
        forever.Name = "forever";

        await store.PutManyAsync([expiring, forever]);

        foreach (var key in EntriesOf(store, expiring))
        {
            var pttl = await PttlAsync(key);
            Assert.That(pttl, Is.InRange(TimeSpan.FromMinutes(29.5).TotalMilliseconds, TimeSpan.FromMinutes(30).TotalMilliseconds), key);
        }

        foreach (var key in EntriesOf(store, forever))
        {
            Assert.That(await PttlAsync(key), Is.EqualTo(-1), key);
        }
    }

    [Test]
    public async Task PutAsync_SameAlternateKeys_RenewsOrDropsTheLifetimeOfEveryEntry_SideRecordIncluded()
    {
        // The put script keeps a side record whose keys did not change (it used to delete and re-add it): its lifetime
        // must still follow the object's, to "never" and back.
        await using var store = TestStores.Create(_connection, o =>
        {
            o.DefaultLifetime = TimeSpan.FromMinutes(30);
            o.LifetimeSelector = item => item is Product { Name: "forever" } ? ObjectLifetime.Never : ObjectLifetime.Default;
        });
        var product = TestStores.NewProduct();
        await store.PutAsync(product);

        await store.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "forever" });
        foreach (var key in EntriesOf(store, product))
        {
            Assert.That(await PttlAsync(key), Is.EqualTo(-1), key);
        }

        await store.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "expiring again" });
        foreach (var key in EntriesOf(store, product))
        {
            Assert.That(await PttlAsync(key), Is.InRange(TimeSpan.FromMinutes(29.5).TotalMilliseconds, TimeSpan.FromMinutes(30).TotalMilliseconds), key);
        }

        Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)))?.Name, Is.EqualTo("expiring again"));
    }

    [Test]
    public async Task PutAsync_AlreadyExpired_RemovesTheObject()
    {
        var product = TestStores.NewProduct();
        await using var store = TestStores.Create(_connection, o => o.LifetimeSelector = item =>
            item is Product { Name: "gone" } ? ObjectLifetime.At(DateTimeOffset.UtcNow.AddMinutes(-1)) : ObjectLifetime.Default);
        await store.PutAsync(product);

        await store.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "gone" });

        Assert.That(await store.GetAsync<Product, int>(product.Id), Is.Null);
        Assert.That(await TestStores.KeysUnderAsync(_connection, Prefix(store)), Is.Empty);
    }

    [Test]
    public async Task Prefixes_KeepApplicationsApart()
    {
        await using var first = TestStores.Create(_connection);
        await using var second = TestStores.Create(_connection);
        var id = TestStores.NextId();
        await first.PutAsync(new Product { Id = id, Sku = "SHARED", Name = "first" });
        await second.PutAsync(new Product { Id = id, Sku = "SHARED", Name = "second" });

        Assert.That((await first.GetAsync<Product, int>(id))?.Name, Is.EqualTo("first"));
        Assert.That((await second.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "SHARED")))?.Name, Is.EqualTo("second"));

        await first.DeleteAsync(EntityKey.Of<Product>(nameof(Product.Sku), "SHARED"));
        await first.ClearAsync();

        Assert.That(await first.GetAsync<Product, int>(id), Is.Null);
        Assert.That((await second.GetAsync<Product, int>(id))?.Name, Is.EqualTo("second"));
        Assert.That((await second.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "SHARED")))?.Name, Is.EqualTo("second"));
    }

    [Test]
    public async Task GetAsync_CorruptBytes_IsMissRemovedAndLogged()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var store = TestStores.Create(_connection, loggerFactory: factory);
        var product = TestStores.NewProduct();
        await store.PutAsync(product);
        var primary = TestStores.KeyOf(Prefix(store), EntityKey.For<Product>(product.Id));
        await _connection.GetDatabase().StringSetAsync(primary, Encoding.UTF8.GetBytes("V\u0000garbage"));

        var byId = await store.GetAsync<Product, int>(product.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(byId, Is.Null);
            Assert.That(await TestStores.KeysUnderAsync(_connection, Prefix(store)), Is.Empty, "the value, its pointer and its side record are gone");
            Assert.That(logs.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.EventId.Name), Does.Contain("UnreadableEntry"));
            Assert.That(logs.Entries.Select(e => e.ToString()), Has.None.Contains(product.Sku), "no key or value in the logs");
        });
    }

    [Test]
    public async Task GetAsync_TypeUnknownToThisProcess_IsMissAndRemoved()
    {
        await using var store = TestStores.Create(_connection);
        var product = TestStores.NewProduct();
        await store.PutAsync(product);
        var primary = TestStores.KeyOf(Prefix(store), EntityKey.For<Product>(product.Id));
        var name = Encoding.UTF8.GetBytes("Renamed.Product, Gone");
        await _connection.GetDatabase().StringSetAsync(primary, (byte[])[(byte)'V', 0, (byte)name.Length, .. name, .. "{}"u8]);

        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);
        Assert.That(await _connection.GetDatabase().KeyExistsAsync(primary), Is.False);
    }

    [Test]
    public async Task Polymorphic_FindsDerivedObjectAsBaseType()
    {
        await using var store = TestStores.Create(_connection, o => o.Polymorphic = true);
        var id = TestStores.NextId();
        await store.PutAsync(new Car { Id = id, Vin = $"VIN{id}", Make = "Volvo", Doors = 5 });

        var asAutomobile = await store.GetAsync<Automobile, int>(id);

        Assert.That(asAutomobile, Is.TypeOf<Car>());
        Assert.That(((Car)asAutomobile!).Doors, Is.EqualTo(5));
        Assert.That(await store.GetAsync<Truck, int>(id), Is.Null);
        Assert.That((await store.GetAsync<Car>(EntityKey.Of<Car>(nameof(Car.Vin), $"VIN{id}")))?.Make, Is.EqualTo("Volvo"));

        await store.PutAsync(new Truck { Id = id, Make = "Scania", Axles = 3 });

        Assert.That(await store.GetAsync<Car>(EntityKey.Of<Car>(nameof(Car.Vin), $"VIN{id}")), Is.Null, "the truck replaced the car under the shared primary key");
        Assert.That(await store.GetAsync<Automobile, int>(id), Is.TypeOf<Truck>());
    }

    [Test]
    public async Task NotPolymorphic_BaseTypeMisses()
    {
        await using var store = TestStores.Create(_connection);
        var id = TestStores.NextId();
        await store.PutAsync(new Car { Id = id, Vin = $"VIN{id}" });

        Assert.That(await store.GetAsync<Automobile, int>(id), Is.Null);
        Assert.That(await store.GetAsync<Car, int>(id), Is.Not.Null);
    }

    [Test]
    public async Task ClearAsync_Type_RemovesItAndDerivedTypes_KeepsOthers()
    {
        await using var store = TestStores.Create(_connection);
        var product = TestStores.NewProduct();
        var id = TestStores.NextId();
        await store.PutAsync(product);
        await store.PutAsync(new Car { Id = id, Vin = $"VIN{id}" });
        await store.PutAsync(new Customer { Code = $"C{id}", Email = $"c{id}@example.com" });

        await store.ClearAsync(typeof(Automobile));

        Assert.That(await store.GetAsync<Car, int>(id), Is.Null);
        Assert.That(await store.GetAsync<Car>(EntityKey.Of<Car>(nameof(Car.Vin), $"VIN{id}")), Is.Null);
        Assert.That(await store.GetAsync<Product, int>(product.Id), Is.Not.Null);

        await store.ClearAsync(typeof(Product));

        Assert.That(await store.GetAsync<Product, int>(product.Id), Is.Null);
        Assert.That(await store.GetAsync<Customer>(EntityKey.Of<Customer>(nameof(Customer.Email), $"c{id}@example.com")), Is.Not.Null);

        await store.ClearAsync();

        Assert.That(await TestStores.KeysUnderAsync(_connection, Prefix(store)), Is.Empty);
    }

    [Test]
    public async Task PutAsync_ChangedAlternateKey_SideRecordListsOnlyTheNewKey()
    {
        await using var store = TestStores.Create(_connection);
        var product = TestStores.NewProduct();
        await store.PutAsync(product);
        await store.PutAsync(new Product { Id = product.Id, Sku = product.Sku + "-2" });

        var side = TestStores.KeyOf(Prefix(store), EntityKey.For<Product>(product.Id)) + RedisScripts.SideRecordSuffix;
        var members = (await _connection.GetDatabase().SetMembersAsync(side)).Select(m => (string?)m);

        Assert.That(members, Is.EqualTo(new[] { TestStores.KeyOf(Prefix(store), EntityKey.Of<Product>(nameof(Product.Sku), product.Sku + "-2")) }));
        Assert.That(await TestStores.KeysUnderAsync(_connection, Prefix(store)), Has.Count.EqualTo(3));
    }

    private static string Prefix(RedisStore store) => store.KeyPrefixForTests;

    private static IEnumerable<string> EntriesOf(RedisStore store, Product product)
    {
        var primary = TestStores.KeyOf(Prefix(store), EntityKey.For<Product>(product.Id));
        return [primary, primary + RedisScripts.SideRecordSuffix, TestStores.KeyOf(Prefix(store), EntityKey.Of<Product>(nameof(Product.Sku), product.Sku))];
    }

    private async Task<long> PttlAsync(string key) => (long)await _connection.GetDatabase().ExecuteAsync("PTTL", key);
}
