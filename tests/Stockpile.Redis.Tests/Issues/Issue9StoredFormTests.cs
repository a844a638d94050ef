using System.Text.Json;
using Stockpile.Testing.Entities;
using Stockpile.Testing.KeyValue;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9, the batch of 100: every stored object carried its type's canonical name, which its key already names
/// (about half of a small object's bytes, paid by every read). An object of a type that declares its own primary key
/// is now stored as <c>'O'</c> and its JSON, by every put path; objects stored in the earlier named form still read on
/// every read path; a derived type keeps its name.
/// </summary>
[TestFixture(false, TestName = "Issue9StoredFormTests(server)")]
[TestFixture(true, TestName = "Issue9StoredFormTests(cluster)")]
public sealed class Issue9StoredFormTests(bool cluster) : RedisFixture
{
    private protected override bool RunsOnCluster => cluster;


    [Test]
    public async Task Puts_ObjectOfATypeDeclaringItsPrimaryKey_AreStoredAsItsJsonWithoutTypeName()
    {
        await using var store = TestStores.Create(_connection);
        var single = TestStores.NewProduct("single");
        var batch = new[] { TestStores.NewProduct("batch a"), TestStores.NewProduct("batch b") };
        await store.PutAsync(single);
        await store.PutManyAsync(batch);

        foreach (var product in batch.Prepend(single))
        {
            var stored = (byte[]?)await _connection.GetDatabase().StringGetAsync(TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Product>(product.Id)));

            Assert.That(stored, Is.EqualTo((byte[])[(byte)'O', .. JsonSerializer.SerializeToUtf8Bytes(product)]), product.Name);
        }
    }

    [Test]
    public async Task Reads_ObjectsStoredInTheEarlierNamedForm_StillRead()
    {
        await using var store = TestStores.Create(_connection);
        var products = Enumerable.Range(0, 3).Select(i => TestStores.NewProduct("named " + i)).ToList();
        await store.PutManyAsync(products);
        var database = _connection.GetDatabase();
        foreach (var product in products)
        {
            await database.StringSetAsync(TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Product>(product.Id)), NamedPayload.Of(typeof(Product), JsonSerializer.SerializeToUtf8Bytes(product)));
        }

        // Twice: the first call of a store connects through the general path, the next ones take the short one.
        for (var round = 0; round < 2; round++)
        {
            Assert.That((await store.GetAsync<Product, int>(products[0].Id))?.Name, Is.EqualTo("named 0"), "by primary key value");
            Assert.That((await store.GetAsync<Product>(EntityKey.For<Product>(products[1].Id)))?.Name, Is.EqualTo("named 1"), "by look-up");
            Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), products[2].Sku)))?.Name, Is.EqualTo("named 2"), "by alternate key");
            Assert.That((await store.GetManyAsync<Product, int>([.. products.Select(p => p.Id)])).Select(p => p?.Name), Is.EqualTo(products.Select(p => p.Name)), "batch");
        }
    }

    [Test]
    public async Task Puts_PolymorphicStore_DerivedTypeKeepsItsNameAndBothRead()
    {
        await using var store = TestStores.Create(_connection, o => o.Polymorphic = true);
        var car = new Car { Id = TestStores.NextId(), Vin = "V-" + TestStores.NextId(), Make = "car" };
        var plain = new Automobile { Id = TestStores.NextId(), Make = "plain" };
        await store.PutAsync(car);
        await store.PutAsync(plain);
        var database = _connection.GetDatabase();

        var carBytes = (byte[]?)await database.StringGetAsync(TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Automobile>(car.Id), polymorphic: true));
        var plainBytes = (byte[]?)await database.StringGetAsync(TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Automobile>(plain.Id), polymorphic: true));

        Assert.That(carBytes?[0], Is.EqualTo((byte)'V'), "a Car under an Automobile key names its type");
        Assert.That(plainBytes?[0], Is.EqualTo((byte)'O'));
        for (var round = 0; round < 2; round++)
        {
            var found = await store.GetManyAsync<Automobile, int>([car.Id, plain.Id]);
            Assert.That(found[0], Is.InstanceOf<Car>());
            Assert.That(found[1], Is.TypeOf<Automobile>().With.Property(nameof(Automobile.Make)).EqualTo("plain"));
            Assert.That(await store.GetAsync<Car, int>(plain.Id), Is.Null, "an Automobile is not a Car");
            Assert.That((await store.GetAsync<Car>(EntityKey.Of<Car>(nameof(Car.Vin), car.Vin)))?.Make, Is.EqualTo("car"));
        }
    }
}
