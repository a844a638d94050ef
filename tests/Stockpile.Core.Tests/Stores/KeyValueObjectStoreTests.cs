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
    public async Task GetAsync_AnotherObjectUnderThePrimaryKey_IsMissAndRemovesIt()
    {
        var store = new DictionaryKeyValueStore();
        await store.PutAsync(new Product { Id = 1, Sku = "A" });
        await store.PutAsync(new Product { Id = 2, Sku = "B" });
        var key = store.Entries.Keys.Single(k => k.EndsWith("|Id|i:1", StringComparison.Ordinal));
        store.Entries[key] = store.Entries.Single(e => e.Key.EndsWith("|Id|i:2", StringComparison.Ordinal)).Value;

        Assert.That(await store.GetAsync<Product, int>(1), Is.Null, "never another object");
        Assert.That(store.Entries.ContainsKey(key), Is.False, "no put writes it there: removed");
        Assert.That((await store.GetAsync<Product, int>(2))?.Sku, Is.EqualTo("B"));
    }

    [Test]
    public async Task GetAsync_ByAlternateKey_StalePointer_IsMissAndKeepsTheObject()
    {
        // A pointer that outlived the object's claim on the key (a crash between writes): the object is good.
        var store = new DictionaryKeyValueStore();
        await store.PutAsync(new Product { Id = 1, Sku = "A" });
        var pointer = store.Entries.Single(e => e.Key.EndsWith("|Sku|s:A", StringComparison.Ordinal));
        store.Entries[pointer.Key.Replace("|Sku|s:A", "|Sku|s:Z", StringComparison.Ordinal)] = pointer.Value;

        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "Z")), Is.Null);
        Assert.That((await store.GetAsync<Product, int>(1))?.Sku, Is.EqualTo("A"), "the object the stale pointer leads to stays");
    }

    [Test]
    public async Task GetAsync_ByAlternateKey_PointerOutOfThePrefix_IsMissAndRemovesIt()
    {
        var store = new DictionaryKeyValueStore(new KeyValueObjectStoreOptions { KeyPrefix = "app1:" });
        await store.PutAsync(new Product { Id = 1, Sku = "A" });
        var pointerKey = store.Entries.Keys.Single(k => k.EndsWith("|Sku|s:A", StringComparison.Ordinal));
        store.Entries[pointerKey] = Encoding.UTF8.GetBytes("Pother:secret");
        store.Entries["other:secret"] = store.Entries.Single(e => e.Key.EndsWith("|Id|i:1", StringComparison.Ordinal)).Value;

        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "A")), Is.Null);
        Assert.That(store.Entries.ContainsKey(pointerKey), Is.False, "a pointer out of the prefix is foreign: removed");
        Assert.That(store.Entries.ContainsKey("other:secret"), Is.True, "nothing outside the prefix is touched");
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
