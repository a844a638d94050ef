using System.Text;
using Stockpile.Testing.Contract;
using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class KeyValueObjectStoreContractTests : ObjectStoreContractTests
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() => new(new DictionaryKeyValueStore());
}

public sealed class KeyValueObjectStoreTests
{
    [Test]
    public async Task GetAsync_CorruptBytes_IsMissAndRemovesThem()
    {
        var store = new DictionaryKeyValueStore();
        await store.PutAsync(new Product { Id = 1, Sku = "A" });
        var key = store.Entries.Keys.Single(k => k.Contains("|Id|", StringComparison.Ordinal));
        store.Entries[key] = Encoding.UTF8.GetBytes("Vgarbage");

        Assert.That(await store.GetAsync<Product, int>(1), Is.Null);
        Assert.That(store.Entries.ContainsKey(key), Is.False);
    }

    [Test]
    public async Task PutAsync_UsesPrefixAndCanonicalKeys()
    {
        var store = new DictionaryKeyValueStore(new KeyValueObjectStoreOptions { KeyPrefix = "app1:" });

        await store.PutAsync(new Product { Id = 5, Sku = "x|y" });

        Assert.That(store.Entries.Keys, Is.EquivalentTo(new[]
        {
            "app1:Stockpile.Testing.Entities.Product@Stockpile.Testing|Id|i:5",
            "app1:Stockpile.Testing.Entities.Product@Stockpile.Testing|Sku|s:x\\|y",
        }));
    }

    [Test]
    public async Task GetAsync_Polymorphic_FindsDerivedAsBase_AndMissesSibling()
    {
        var store = new DictionaryKeyValueStore(new KeyValueObjectStoreOptions { Polymorphic = true });
        await store.PutAsync(new Car { Id = 3, Vin = "V3", Make = "Volvo", Doors = 5 });

        var asAutomobile = await store.GetAsync<Automobile, int>(3);

        Assert.That(asAutomobile, Is.TypeOf<Car>());
        Assert.That(((Car)asAutomobile!).Doors, Is.EqualTo(5));
        Assert.That(await store.GetAsync<Truck, int>(3), Is.Null);
        Assert.That(await store.GetAsync<Car, int>(3), Is.Not.Null, "a sibling miss must not remove the entry");
    }

    [Test]
    public async Task GetAsync_NotPolymorphic_BaseTypeMisses()
    {
        var store = new DictionaryKeyValueStore();
        await store.PutAsync(new Car { Id = 3, Vin = "V3" });

        Assert.That(await store.GetAsync<Automobile, int>(3), Is.Null);
        Assert.That(await store.GetAsync<Car, int>(3), Is.Not.Null);
    }
}
