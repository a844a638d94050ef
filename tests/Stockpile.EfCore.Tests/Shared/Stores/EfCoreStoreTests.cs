using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Stores;

[TestFixture]
public sealed class EfCoreStoreTests
{
    private static int s_nextId = Random.Shared.Next(1_000, 1_000_000) * 100 + 50_000_000;

    private static TestDatabase Database => TestDatabase.Current;

    private static int NextId() => Interlocked.Increment(ref s_nextId);

    private static Product NewProduct(int? id = null, string? sku = null)
    {
        var productId = id ?? NextId();
        return new Product { Id = productId, Sku = sku ?? $"S-{productId}", Name = $"P{productId}", Price = 2.5m };
    }

    private static (EfCoreStore<TestDbContext> Store, CommandCounter Commands) CountingStore(EfCoreStoreOptions? options = null)
    {
        var commands = new CommandCounter();
        return (new EfCoreStore<TestDbContext>(Database.Factory<TestDbContext>(commands), options), commands);
    }

    /// <summary>Puts lines 1..count of a new order, line n with quantity n; returns the order id.</summary>
    private static async Task<int> PutOrderLinesAsync(ObjectStore store, int count)
    {
        var orderId = NextId();
        await store.PutManyAsync(Enumerable.Range(1, count).Select(n => new OrderLine { OrderId = orderId, LineNumber = n, LineId = Guid.NewGuid(), Product = $"p{n}", Quantity = n }));
        return orderId;
    }

    [Test]
    public async Task GetManyAsync_PrimaryAndAlternateKeysWithMisses_OneRoundTripInRequestOrder()
    {
        var (store, commands) = CountingStore();
        var products = Enumerable.Range(0, 40).Select(_ => NewProduct()).ToList();
        await store.PutManyAsync(products);
        var keys = products.Select(p => EntityKey.For<Product>(p.Id))
            .Concat(products.Take(10).Select(p => EntityKey.Of<Product>(nameof(Product.Sku), p.Sku)))
            .Append(EntityKey.For<Product>(NextId()))
            .Append(EntityKey.Of<Product>(nameof(Product.Sku), "nobody"))
            .ToList();

        commands.Reset();
        var found = await store.GetManyAsync<Product>(keys);

        Assert.That(commands.Count, Is.EqualTo(1), "the whole batch must be one database round trip");
        Assert.That(found.Take(40).Select(p => p?.Id), Is.EqualTo(products.Select(p => (int?)p.Id)));
        Assert.That(found.Skip(40).Take(10).Select(p => p?.Sku), Is.EqualTo(products.Take(10).Select(p => p.Sku)));
        Assert.That(found.Skip(50), Is.All.Null);
    }

    [Test]
    public async Task GetManyAsync_CompositeKeys_OneRoundTrip()
    {
        var (store, commands) = CountingStore();
        var orderId = await PutOrderLinesAsync(store, 100);

        commands.Reset();
        var found = await store.GetManyAsync<OrderLine, (int, int)>(Enumerable.Range(1, 101).Reverse().Select(n => (orderId, n)));

        Assert.That(commands.Count, Is.EqualTo(1));
        Assert.That(found[0], Is.Null);
        Assert.That(found.Skip(1).Select(l => l!.Quantity), Is.EqualTo(Enumerable.Range(1, 100).Reverse()));
    }

    [Test]
    public async Task GetManyAsync_CompositeKeysPastParameterLimit_SplitsIntoFewestStatements()
    {
        var (store, commands) = CountingStore(new EfCoreStoreOptions { MaxParametersPerStatement = 20 });
        var orderId = await PutOrderLinesAsync(store, 25);

        commands.Reset();
        var found = await store.GetManyAsync<OrderLine, (int, int)>(Enumerable.Range(1, 25).Select(n => (orderId, n)));

        Assert.That(commands.Count, Is.EqualTo(3), "25 look-ups of 2 parameters under a limit of 20: 10 + 10 + 5");
        Assert.That(found.Select(l => l?.Quantity), Is.EqualTo(Enumerable.Range(1, 25).Select(n => (int?)n)));
    }

    [Test]
    public async Task GetManyAsync_ThousandCompositeKeys_FindsAllInFourStatements()
    {
        var (store, commands) = CountingStore();
        var orderId = await PutOrderLinesAsync(store, 1000);

        commands.Reset();
        var found = await store.GetManyAsync<OrderLine, (int, int)>(Enumerable.Range(1, 1000).Select(n => (orderId, n)));

        Assert.That(commands.Count, Is.EqualTo(4), "2 parameters a look-up under the default 500: 250 look-ups a statement");
        Assert.That(found.Select(l => l?.Quantity), Is.EqualTo(Enumerable.Range(1, 1000).Select(n => (int?)n)));
    }

    [Test]
    public async Task GetAsync_ByKey_OneRoundTripAndUntracked()
    {
        var (store, commands) = CountingStore();
        var product = NewProduct();
        await store.PutAsync(product);

        commands.Reset();
        var first = await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku));
        first!.Name = "changed by the caller";
        var second = await store.GetAsync<Product, int>(product.Id);

        Assert.That(commands.Count, Is.EqualTo(2));
        Assert.That(second, Is.Not.SameAs(first));
        Assert.That(second!.Name, Is.EqualTo(product.Name));
    }

    [Test]
    public async Task GetAsync_AlternateKeyMatchingTwoRows_ThrowsNonUniqueKey()
    {
        var store = new EfCoreStore<GadgetDbContext>(Database.Factory<GadgetDbContext>());
        var (a, b) = (NextId(), NextId());
        await Database.ExecuteAsync($"INSERT INTO \"Gadgets\" (\"Id\", \"Code\") VALUES ({a}, 'twin-{a}'), ({b}, 'twin-{a}')");
        var key = EntityKey.Of<Gadget>(nameof(Gadget.Code), $"twin-{a}");

        var single = Assert.ThrowsAsync<StockpileNonUniqueKeyException>(async () => await store.GetAsync<Gadget>(key));
        var batch = Assert.ThrowsAsync<StockpileNonUniqueKeyException>(async () => await store.GetManyAsync<Gadget>([EntityKey.For<Gadget>(a), key]));

        Assert.That(single!.EntityType, Is.EqualTo(typeof(Gadget)));
        Assert.That(single.KeyName, Is.EqualTo(nameof(Gadget.Code)));
        Assert.That(single.Message, Does.Contain("Gadget").And.Contain("Code").And.Not.Contain($"twin-{a}"));
        Assert.That(batch!.Key, Is.EqualTo(key));
    }

    [Test]
    public void GetAsync_TypeNotMapped_ThrowsNamingTypeAndContext()
    {
        var store = new EfCoreStore<ProductsOnlyDbContext>(Database.Factory<ProductsOnlyDbContext>());

        var ex = Assert.ThrowsAsync<StockpileMappingException>(async () => await store.GetAsync<Customer, string>("C1"));

        Assert.That(ex!.EntityType, Is.EqualTo(typeof(Customer)));
        Assert.That(ex.ContextType, Is.EqualTo(typeof(ProductsOnlyDbContext)));
        Assert.That(ex.Message, Does.Contain("Customer").And.Contain(nameof(ProductsOnlyDbContext)).And.Contain("not mapped"));
    }

    [Test]
    public void Constructor_PrimaryKeyDisagreesWithModel_Throws()
    {
        var ex = Assert.Throws<StockpileMappingException>(() => _ = new EfCoreStore<WrongPrimaryKeyDbContext>(Database.Factory<WrongPrimaryKeyDbContext>()));

        Assert.That(ex!.EntityType, Is.EqualTo(typeof(Product)));
        Assert.That(ex.Message, Does.Contain("primary key").And.Contain("Sku"));
    }

    [Test]
    public void Constructor_AlternateKeyNotUniqueInModel_Throws()
    {
        var ex = Assert.Throws<StockpileMappingException>(() => _ = new EfCoreStore<NoUniqueSkuDbContext>(Database.Factory<NoUniqueSkuDbContext>()));

        Assert.That(ex!.KeyName, Is.EqualTo(nameof(Product.Sku)));
        Assert.That(ex.Message, Does.Contain("unique index"));
    }

    [Test]
    public async Task UseModelKeys_TypeWithoutAttributes_FoundByModelKeys()
    {
        var store = new EfCoreStore<TestDbContext>(Database.Factory<TestDbContext>(), new EfCoreStoreOptions { UseModelKeys = true });
        var warehouse = new Warehouse { Id = NextId(), Code = $"W{NextId()}", City = "Lyon" };

        await store.PutAsync(warehouse);

        Assert.That(StockpileEntityType.For<Warehouse>().Keys.Select(k => k.Name), Is.EqualTo(new[] { "Id", "Code" }));
        Assert.That((await store.GetAsync<Warehouse>(EntityKey.Of<Warehouse>("Code", warehouse.Code)))?.City, Is.EqualTo("Lyon"));
    }

    [Test]
    public async Task PutManyAsync_ConstraintViolated_ThrowsWritesNothingAndStoreStaysUsable()
    {
        var store = new EfCoreStore<TestDbContext>(Database.Factory<TestDbContext>());
        var existing = NewProduct();
        await store.PutAsync(existing);
        var fine = NewProduct();
        var clash = NewProduct(sku: existing.Sku);

        Assert.ThrowsAsync<DbUpdateException>(async () => await store.PutManyAsync([fine, clash]));

        Assert.That(await store.GetAsync<Product, int>(fine.Id), Is.Null, "a failed batch must write nothing");
        var later = NewProduct();
        await store.PutAsync(later);
        Assert.That((await store.GetAsync<Product, int>(later.Id))?.Sku, Is.EqualTo(later.Sku));
    }

    [Test]
    public async Task PutAsync_SiblingTypeHoldsPrimaryKey_ReplacesRow()
    {
        var store = new EfCoreStore<TestDbContext>(Database.Factory<TestDbContext>());
        var id = NextId();
        await store.PutAsync(new Truck { Id = id, Make = "Volvo", Axles = 3 });

        await store.PutAsync(new Car { Id = id, Make = "Fiat", Vin = $"VIN{id}", Doors = 5 });

        var found = await store.GetAsync<Automobile, int>(id);
        Assert.That(found, Is.TypeOf<Car>());
        Assert.That(((Car)found!).Vin, Is.EqualTo($"VIN{id}"));
    }

    [Test]
    public async Task PutAsync_DoesNotTrackOrChangeCallersObject()
    {
        var store = new EfCoreStore<TestDbContext>(Database.Factory<TestDbContext>());
        var product = NewProduct();

        await store.PutAsync(product);
        product.Name = "changed after put";
        await store.PutAsync(NewProduct(product.Id, product.Sku));

        Assert.That(product.Name, Is.EqualTo("changed after put"));
        Assert.That((await store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo($"P{product.Id}"));
    }

    [Test]
    public async Task DeleteManyAsync_MixedKeys_OneSaveChanges()
    {
        var (store, commands) = CountingStore();
        var products = Enumerable.Range(0, 6).Select(_ => NewProduct()).ToList();
        await store.PutManyAsync(products);

        commands.Reset();
        var deleted = await store.DeleteManyAsync([EntityKey.For<Product>(products[0].Id), EntityKey.Of<Product>(nameof(Product.Sku), products[1].Sku), EntityKey.For<Product>(products[2].Id)]);

        Assert.That(deleted, Is.EqualTo(3));
        Assert.That(commands.Count, Is.LessThanOrEqualTo(1 + 3), "one query, then the deletes of one SaveChanges");
        Assert.That(await store.GetManyAsync<Product, int>(products.Select(p => p.Id)), Has.Exactly(3).Null);
    }

    [Test]
    public void Store_IsSourceOfTruth() =>
        Assert.That(new EfCoreStore<TestDbContext>(Database.Factory<TestDbContext>()).IsSourceOfTruth, Is.True);
}
