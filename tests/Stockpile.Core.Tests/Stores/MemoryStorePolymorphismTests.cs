using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class MemoryStorePolymorphismTests
{
    [Test]
    public async Task GetAsync_Polymorphic_FindsDerivedObjectAsBaseType()
    {
        var store = Polymorphic();
        var car = NewCar();
        await store.PutAsync(car);

        Assert.That(await store.GetAsync<Automobile, int>(1), Is.SameAs(car));
        Assert.That(await store.GetAsync<Automobile>(EntityKey.For<Automobile>(1)), Is.SameAs(car));
        Assert.That(await store.GetAsync<Car>(EntityKey.For<Automobile>(1)), Is.SameAs(car));
        Assert.That(await store.GetAsync<Car>(EntityKey.Of<Car>(nameof(Car.Vin), "VIN-1")), Is.SameAs(car));
    }

    [Test]
    public async Task GetAsync_Polymorphic_SiblingTypeMisses()
    {
        var store = Polymorphic();
        await store.PutAsync(NewCar());

        Assert.That(await store.GetAsync<Truck, int>(1), Is.Null);
        Assert.That(await store.GetAsync<Truck>(EntityKey.For<Automobile>(1)), Is.Null);
        Assert.That(await store.GetAsync<Truck>(EntityKey.For<Car>(1)), Is.Null);
    }

    [Test]
    public async Task GetAsync_NotPolymorphic_BaseTypeMisses()
    {
        var store = new MemoryStore();
        await store.PutAsync(NewCar());

        Assert.That(await store.GetAsync<Automobile, int>(1), Is.Null);
        Assert.That(await store.GetAsync<Automobile>(EntityKey.For<Automobile>(1)), Is.Null);
        Assert.That(await store.GetAsync<Car, int>(1), Is.Not.Null);
    }

    [Test]
    public async Task PutAsync_NotPolymorphic_SameIdOfSiblingTypesCoexist()
    {
        var store = new MemoryStore();
        await store.PutAsync(NewCar());

        await store.PutAsync(new Truck { Id = 1, Axles = 3 });

        Assert.That(await store.GetAsync<Car, int>(1), Is.Not.Null);
        Assert.That(await store.GetAsync<Truck, int>(1), Is.Not.Null);
    }

    [Test]
    public async Task PutAsync_Polymorphic_SameIdOfSiblingTypeReplacesObjectEntirely()
    {
        var store = Polymorphic();
        await store.PutAsync(NewCar());
        var truck = new Truck { Id = 1, Axles = 3 };

        await store.PutAsync(truck);

        Assert.That(await store.GetAsync<Automobile, int>(1), Is.SameAs(truck));
        Assert.That(await store.GetAsync<Car>(EntityKey.Of<Car>(nameof(Car.Vin), "VIN-1")), Is.Null);
        Assert.That(store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task DeleteAsync_Polymorphic_ByBaseKeyRemovesEveryEntry()
    {
        var store = Polymorphic();
        await store.PutAsync(NewCar());

        Assert.That(await store.DeleteAsync(EntityKey.For<Automobile>(1)), Is.True);

        Assert.That(await store.GetAsync<Car>(EntityKey.Of<Car>(nameof(Car.Vin), "VIN-1")), Is.Null);
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task ClearAsync_Type_RemovesThatTypeAndDerivedOnly()
    {
        var store = Polymorphic();
        await store.PutManyAsync<Automobile>([NewCar(), new Truck { Id = 2 }]);
        await store.PutAsync(new Product { Id = 1, Sku = "P" });

        await store.ClearAsync(typeof(Car));
        Assert.That(await store.GetAsync<Car, int>(1), Is.Null);
        Assert.That(await store.GetAsync<Truck, int>(2), Is.Not.Null);

        await store.ClearAsync(typeof(Automobile));
        Assert.That(await store.GetAsync<Truck, int>(2), Is.Null);
        Assert.That(await store.GetAsync<Product, int>(1), Is.Not.Null);

        await store.ClearAsync();
        Assert.That(store.Count, Is.Zero);
    }

    private static MemoryStore Polymorphic() => new(new MemoryStoreOptions { Polymorphic = true });

    private static Car NewCar() => new() { Id = 1, Vin = "VIN-1", Make = "Volvo", Doors = 5 };
}
