using System.Text;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9, speed of reads: a get (or batch get) by primary key value writes its Redis keys straight from the value
/// and reads without the general path's look-up objects. It must read exactly the keys the general path writes, for
/// every key type, in polymorphic stores too, and keep the general path's answers for misses and unreadable bytes.
/// </summary>
[TestFixture(false, TestName = "Issue9PrimaryKeyReadTests(server)")]
[TestFixture(true, TestName = "Issue9PrimaryKeyReadTests(cluster)")]
public sealed class Issue9PrimaryKeyReadTests(bool cluster) : RedisFixture
{
    private protected override bool RunsOnCluster => cluster;


    [Test]
    public async Task GetAsyncByPrimaryKey_EachKeyType_FindsWhatPutWrote()
    {
        await using var store = TestStores.Create(_connection);
        var product = TestStores.NewProduct();
        var longKeyed = new LongKeyed { Id = (1L << 40) + TestStores.NextId(), Name = "long" };
        var guidKeyed = new GuidKeyed { Id = Guid.NewGuid(), Name = "guid" };
        string[] codes = ["C-" + TestStores.NextId(), "é中-" + TestStores.NextId(), @"a|b\c-" + TestStores.NextId(), "\uD83D\uDE00-" + TestStores.NextId()];
        await store.PutAsync(product);
        await store.PutAsync(longKeyed);
        await store.PutAsync(guidKeyed);
        await store.PutManyAsync(codes.Select(c => new Customer { Code = c, Name = "named " + c }));

        // Twice each: the first call of a store connects through the general path, the next ones take the short one.
        for (var round = 0; round < 2; round++)
        {
            Assert.That((await store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
            Assert.That((await store.GetAsync<LongKeyed, long>(longKeyed.Id))?.Name, Is.EqualTo("long"));
            Assert.That((await store.GetAsync<GuidKeyed, Guid>(guidKeyed.Id))?.Name, Is.EqualTo("guid"));
            foreach (var code in codes)
            {
                Assert.That((await store.GetAsync<Customer, string>(code))?.Name, Is.EqualTo("named " + code), code);
            }

            Assert.That(await store.GetAsync<Product, int>(TestStores.NextId()), Is.Null, "a miss");
            Assert.That(await store.GetAsync<LongKeyed, long>(longKeyed.Id + 1), Is.Null, "a miss");
            Assert.That(await store.GetAsync<Customer, string>(codes[0] + "x"), Is.Null, "a miss");
        }
    }

    [Test]
    public async Task GetManyAsyncByPrimaryKey_HitsAndMisses_OneResultPerValueInOrder()
    {
        await using var store = TestStores.Create(_connection);
        var products = Enumerable.Range(0, 40).Select(_ => TestStores.NewProduct()).ToList();
        await store.PutManyAsync(products.Where((_, i) => i % 3 != 0));
        var ids = products.Select(p => p.Id).Append(products[1].Id).ToList();
        var expected = products.Select((p, i) => i % 3 != 0 ? p.Name : null).Append(products[1].Name);

        await store.GetAsync<Product, int>(products[1].Id); // connects, so the batches below take the short path
        var found = await store.GetManyAsync<Product, int>(ids);
        var foundFromSequence = await store.GetManyAsync<Product, int>(ids.Select(id => id));

        Assert.That(found.Select(p => p?.Name), Is.EqualTo(expected));
        Assert.That(foundFromSequence.Select(p => p?.Name), Is.EqualTo(expected));
        Assert.That(await store.GetManyAsync<Product, int>([]), Is.Empty);
    }

    [Test]
    public async Task GetManyAsyncByPrimaryKey_LargeValues_ReadIntactFromTheReply()
    {
        // A reply of several megabytes reaches the client in many reads: every value must come out whole and in order.
        await using var store = TestStores.Create(_connection);
        var products = Enumerable.Range(0, 24).Select(_ => TestStores.NewProduct()).ToList();
        foreach (var (product, i) in products.Select((p, i) => (p, i)))
        {
            product.Name = new string((char)('a' + i), 100_000 + (i * 7919));
        }

        await store.PutManyAsync(products);
        await store.GetAsync<Product, int>(products[0].Id);

        var found = await store.GetManyAsync<Product, int>([.. products.Select(p => p.Id), TestStores.NextId()]);

        Assert.That(found.Select(p => p?.Name), Is.EqualTo(products.Select(p => p.Name).Append(null)));
    }

    [Test]
    public async Task GetManyAsyncByPrimaryKey_KeysLongerThanTheBufferGuessed_ReadWhatPutWrote()
    {
        // The batch writes its keys into one pooled buffer sized for short ones: 300-byte keys make it grow, twice.
        await using var store = TestStores.Create(_connection);
        var customers = Enumerable.Range(0, 60).Select(i => new Customer { Code = new string((char)('a' + (i % 26)), 300) + i + "-" + TestStores.NextId(), Name = "long " + i }).ToList();
        await store.PutManyAsync(customers);
        await store.GetAsync<Customer, string>(customers[0].Code);

        var found = await store.GetManyAsync<Customer, string>([.. customers.Select(c => c.Code), "missing-" + TestStores.NextId()]);

        Assert.That(found.Select(c => c?.Name), Is.EqualTo(customers.Select(c => c.Name).Append(null)));
    }

    [Test]
    public async Task GetManyAsyncByPrimaryKey_NullValue_IsRefusedNamingTheKey()
    {
        await using var store = TestStores.Create(_connection);
        var customer = new Customer { Code = "C-" + TestStores.NextId() };
        await store.PutAsync(customer);
        await store.GetAsync<Customer, string>(customer.Code);

        var ex = Assert.ThrowsAsync<StockpileKeyException>(async () => await store.GetManyAsync<Customer, string>([customer.Code, null!]));

        Assert.That(ex!.KeyName, Is.EqualTo(nameof(Customer.Code)));
        Assert.That(ex.EntityType, Is.EqualTo(typeof(Customer)));
    }

    [Test]
    public async Task GetByPrimaryKey_PolymorphicStore_FindsDerivedObjectsAsTheDeclaringType()
    {
        await using var store = TestStores.Create(_connection, o => o.Polymorphic = true);
        var car = new Car { Id = TestStores.NextId(), Vin = "V-" + TestStores.NextId(), Make = "car" };
        await store.PutAsync(car);
        await store.GetAsync<Car, int>(car.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(await store.GetAsync<Automobile, int>(car.Id), Is.InstanceOf<Car>().With.Property(nameof(Car.Make)).EqualTo("car"));
            Assert.That(await store.GetAsync<Car, int>(car.Id), Is.InstanceOf<Car>());
            Assert.That(await store.GetAsync<Truck, int>(car.Id), Is.Null, "a Car is not a Truck");
            Assert.That((await store.GetManyAsync<Automobile, int>([car.Id, car.Id + 1])).Select(a => a?.Make), Is.EqualTo(new[] { "car", null }));
        });
    }

    [Test]
    public async Task GetManyAsyncByPrimaryKey_CorruptBytesInTheBatch_MissRemovedAndLogged_OthersFound()
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var store = TestStores.Create(_connection, loggerFactory: factory);
        var good = TestStores.NewProduct();
        var corrupt = TestStores.NewProduct();
        await store.PutManyAsync([good, corrupt]);
        await store.GetAsync<Product, int>(good.Id);
        var corruptKey = TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Product>(corrupt.Id));
        await _connection.GetDatabase().StringSetAsync(corruptKey, Encoding.UTF8.GetBytes("V\u0000garbage"));

        var found = await store.GetManyAsync<Product, int>([good.Id, corrupt.Id]);

        Assert.Multiple(async () =>
        {
            Assert.That(found.Select(p => p?.Name), Is.EqualTo(new[] { good.Name, null }));
            Assert.That(await _connection.GetDatabase().KeyExistsAsync(corruptKey), Is.False, "the unreadable value is removed");
            Assert.That(logs.Entries.Select(e => e.EventId.Name), Does.Contain("UnreadableEntry"));
        });
    }

    [Test]
    public async Task GetManyAsyncByPrimaryKey_LargeBatchesAtOnce_EachValueInItsPlace_UnreadableOnesMissed()
    {
        // Each batch is read from its own pooled reply while the others are read: every value lands at its key's position,
        // and an unreadable one anywhere in the reply sends the batch down the general path.
        using var logs = new CapturingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var store = TestStores.Create(_connection, loggerFactory: factory);
        var products = Enumerable.Range(0, 150).Select(_ => TestStores.NewProduct()).ToList();
        await store.PutManyAsync(products.Where((_, i) => i % 7 != 3));
        await store.GetAsync<Product, int>(products[0].Id);
        var ids = products.Select(p => p.Id).ToList();
        var expected = products.Select((p, i) => i % 7 != 3 ? p.Name : null).ToList();

        var batches = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await store.GetManyAsync<Product, int>(ids))));

        Assert.That(batches.Select(found => found.Select(p => p?.Name)), Has.All.EqualTo(expected));

        var corruptIndexes = new[] { 1, 77, 149 };
        foreach (var i in corruptIndexes)
        {
            await _connection.GetDatabase().StringSetAsync(TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Product>(products[i].Id)), Encoding.UTF8.GetBytes("V\u0000garbage"));
            expected[i] = null;
        }

        var afterCorruption = await store.GetManyAsync<Product, int>(ids);

        Assert.Multiple(() =>
        {
            Assert.That(afterCorruption.Select(p => p?.Name), Is.EqualTo(expected));
            Assert.That(logs.Entries.Count(e => e.EventId.Name == "UnreadableEntry"), Is.EqualTo(corruptIndexes.Length));
        });
    }

    /// <summary>A long primary key.</summary>
    public sealed class LongKeyed
    {
        [StockpileKey]
        public long Id { get; set; }

        public string Name { get; set; } = "";
    }

    /// <summary>A Guid primary key.</summary>
    public sealed class GuidKeyed
    {
        [StockpileKey]
        public Guid Id { get; set; }

        public string Name { get; set; } = "";
    }
}
