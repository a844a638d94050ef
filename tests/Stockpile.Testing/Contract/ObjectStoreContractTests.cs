using Stockpile.Testing.Entities;

namespace Stockpile.Testing.Contract;

/// <summary>
/// The rules every store keeps. Each store's test project derives a fixture from this class, so memory, scoped,
/// chained, Redis and EF Core stores are all proven against the same tests.
/// </summary>
/// <remarks>Objects from a store may be copies (Redis, EF Core), so tests compare property values, never references.</remarks>
public abstract partial class ObjectStoreContractTests
{
    private static int s_nextId = Random.Shared.Next(1_000, 1_000_000) * 100;

    /// <summary>Creates the store under test, empty of the objects these tests make (they use fresh ids).</summary>
    protected abstract ValueTask<ObjectStore> CreateStoreAsync();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> made; called after each test.</summary>
    protected virtual ValueTask DisposeStoreAsync(ObjectStore store) => store is IAsyncDisposable d ? d.DisposeAsync() : default;

    protected ObjectStore Store { get; private set; } = null!;

    [SetUp]
    public async Task CreateStore() => Store = await CreateStoreAsync();

    [TearDown]
    public async Task DisposeStore() => await DisposeStoreAsync(Store);

    protected static int NextId() => Interlocked.Increment(ref s_nextId);

    protected static Product NewProduct(int? id = null, string? sku = null)
    {
        var productId = id ?? NextId();
        return new Product { Id = productId, Sku = sku ?? $"SKU-{productId}", Name = $"Product {productId}", Price = 9.5m };
    }

    protected static void AssertProduct(Product expected, Product? actual)
    {
        Assert.That(actual, Is.Not.Null, $"expected {expected}, got a miss");
        Assert.That((actual!.Id, actual.Sku, actual.Name, actual.Price), Is.EqualTo((expected.Id, expected.Sku, expected.Name, expected.Price)));
    }

    [Test]
    public async Task GetAsync_AfterPut_FindsByPrimaryKey()
    {
        var product = NewProduct();
        await Store.PutAsync(product);

        AssertProduct(product, await Store.GetAsync<Product, int>(product.Id));
        AssertProduct(product, await Store.GetAsync<Product>(EntityKey.For<Product>(product.Id)));
    }

    [Test]
    public async Task GetAsync_Missing_ReturnsNull()
    {
        Assert.That(await Store.GetAsync<Product, int>(NextId()), Is.Null);
        Assert.That(await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "no-such-sku")), Is.Null);
    }

    [Test]
    public async Task GetAsync_ByAlternateKey_FindsSameObject()
    {
        var product = NewProduct();
        await Store.PutAsync(product);

        AssertProduct(product, await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)));
    }

    [Test]
    public async Task GetAsync_ByCompositeKey_FindsObject()
    {
        var line = new OrderLine { OrderId = NextId(), LineNumber = 3, LineId = Guid.NewGuid(), Product = "bolt", Quantity = 7 };
        await Store.PutAsync(line);

        var byValues = await Store.GetAsync<OrderLine>(EntityKey.For<OrderLine>(line.OrderId, 3));
        var byTuple = await Store.GetAsync<OrderLine, (int, int)>((line.OrderId, 3));
        var byAlternate = await Store.GetAsync<OrderLine>(EntityKey.Of<OrderLine>(nameof(OrderLine.LineId), line.LineId));

        foreach (var found in new[] { byValues, byTuple, byAlternate })
        {
            Assert.That(found, Is.Not.Null);
            Assert.That((found!.OrderId, found.LineNumber, found.LineId, found.Quantity), Is.EqualTo((line.OrderId, 3, line.LineId, 7)));
        }

        Assert.That(await Store.GetAsync<OrderLine>(EntityKey.For<OrderLine>(line.OrderId, 4)), Is.Null);
    }

    [Test]
    public async Task PutAsync_SamePrimaryKey_ReplacesObject()
    {
        var product = NewProduct();
        await Store.PutAsync(product);
        var changed = NewProduct(product.Id, product.Sku);
        changed.Name = "renamed";
        changed.Price = 12m;

        await Store.PutAsync(changed);

        AssertProduct(changed, await Store.GetAsync<Product, int>(product.Id));
        AssertProduct(changed, await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)));
    }

    [Test]
    public async Task PutAsync_ChangedAlternateKey_OldAlternateStopsResolving()
    {
        var product = NewProduct();
        await Store.PutAsync(product);
        var moved = NewProduct(product.Id, product.Sku + "-new");

        await Store.PutAsync(moved);

        Assert.That(await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);
        AssertProduct(moved, await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), moved.Sku)));
    }

    [Test]
    public async Task DeleteAsync_ByPrimaryKey_RemovesEveryEntry()
    {
        var product = NewProduct();
        await Store.PutAsync(product);

        Assert.That(await Store.DeleteAsync(EntityKey.For<Product>(product.Id)), Is.True);

        Assert.That(await Store.GetAsync<Product, int>(product.Id), Is.Null);
        Assert.That(await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);
    }

    [Test]
    public async Task DeleteAsync_ByAlternateKey_RemovesEveryEntry()
    {
        var product = NewProduct();
        await Store.PutAsync(product);

        Assert.That(await Store.DeleteAsync(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.True);

        Assert.That(await Store.GetAsync<Product, int>(product.Id), Is.Null);
        Assert.That(await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);
    }

    [Test]
    public async Task DeleteAsync_ByObject_RemovesIt()
    {
        var product = NewProduct();
        await Store.PutAsync(product);

        Assert.That(await Store.DeleteAsync(product), Is.True);

        Assert.That(await Store.GetAsync<Product, int>(product.Id), Is.Null);
    }

    [Test]
    public async Task DeleteAsync_Missing_ReturnsFalse()
    {
        Assert.That(await Store.DeleteAsync(EntityKey.For<Product>(NextId())), Is.False);
    }

    [Test]
    public async Task DeleteAsync_AlternateKeyNowOwnedByAnother_KeepsTheOther()
    {
        var a = NewProduct();
        await Store.PutAsync(a);
        var aMoved = NewProduct(a.Id, a.Sku + "-moved");
        await Store.PutAsync(aMoved);
        var b = NewProduct(sku: a.Sku);
        await Store.PutAsync(b);

        await Store.DeleteAsync(EntityKey.For<Product>(a.Id));

        AssertProduct(b, await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), a.Sku)));
        AssertProduct(b, await Store.GetAsync<Product, int>(b.Id));
        Assert.That(await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), aMoved.Sku)), Is.Null);
    }

    [Test]
    public async Task GetManyAsync_ReturnsResultsInRequestOrder_WithNullForMisses()
    {
        var products = Enumerable.Range(0, 5).Select(_ => NewProduct()).ToList();
        await Store.PutManyAsync(products);
        var missing = NextId();

        var keys = new[]
        {
            EntityKey.For<Product>(products[3].Id),
            EntityKey.For<Product>(missing),
            EntityKey.Of<Product>(nameof(Product.Sku), products[0].Sku),
            EntityKey.For<Product>(products[3].Id),
            EntityKey.Of<Product>(nameof(Product.Sku), "missing-sku"),
            EntityKey.For<Product>(products[1].Id),
        };
        var found = await Store.GetManyAsync<Product>(keys);

        Assert.That(found, Has.Count.EqualTo(6));
        AssertProduct(products[3], found[0]);
        Assert.That(found[1], Is.Null);
        AssertProduct(products[0], found[2]);
        AssertProduct(products[3], found[3]);
        Assert.That(found[4], Is.Null);
        AssertProduct(products[1], found[5]);
    }

    [Test]
    public async Task GetManyAsync_ByPrimaryKeyValues_ReturnsInOrder()
    {
        var products = Enumerable.Range(0, 3).Select(_ => NewProduct()).ToList();
        await Store.PutManyAsync(products);

        var found = await Store.GetManyAsync<Product, int>([products[2].Id, NextId(), products[0].Id]);

        AssertProduct(products[2], found[0]);
        Assert.That(found[1], Is.Null);
        AssertProduct(products[0], found[2]);
    }

    [Test]
    public async Task GetManyAsync_Empty_ReturnsEmpty()
    {
        Assert.That(await Store.GetManyAsync<Product>([]), Is.Empty);
    }

    [Test]
    public async Task DeleteManyAsync_RemovesEach()
    {
        var products = Enumerable.Range(0, 4).Select(_ => NewProduct()).ToList();
        await Store.PutManyAsync(products);

        var deleted = await Store.DeleteManyAsync([EntityKey.For<Product>(products[0].Id), EntityKey.Of<Product>(nameof(Product.Sku), products[2].Sku)]);

        Assert.That(deleted, Is.EqualTo(2));
        var found = await Store.GetManyAsync<Product, int>(products.Select(p => p.Id));
        Assert.That(found[0], Is.Null);
        AssertProduct(products[1], found[1]);
        Assert.That(found[2], Is.Null);
        AssertProduct(products[3], found[3]);
    }

    [Test]
    public async Task PutAsync_NullPrimaryKey_ThrowsNamingTypeAndKey()
    {
        var customer = new Customer { Code = null!, Name = "nobody" };

        var ex = Assert.ThrowsAsync<StockpileKeyException>(async () => await Store.PutAsync(customer));

        Assert.That(ex!.EntityType, Is.EqualTo(typeof(Customer)));
        Assert.That(ex.KeyName, Is.EqualTo(nameof(Customer.Code)));
        Assert.That(ex.Message, Does.Contain("Customer").And.Contain("Code").And.Contain("null"));
    }

    [Test]
    public async Task PutManyAsync_OneInvalid_WritesNothing()
    {
        var good = NewProduct();
        var customers = new[] { new Customer { Code = $"C{good.Id}", Name = "ok" }, new Customer { Code = null!, Name = "bad" } };

        Assert.ThrowsAsync<StockpileKeyException>(async () => await Store.PutManyAsync(customers));

        Assert.That(await Store.GetAsync<Customer, string>($"C{good.Id}"), Is.Null);
    }

    [Test]
    public async Task PutAsync_NullAlternateKey_FiledByPrimaryOnly()
    {
        var customer = new Customer { Code = $"C{NextId()}", Email = null, Name = "no mail" };
        await Store.PutAsync(customer);

        var found = await Store.GetAsync<Customer, string>(customer.Code);

        Assert.That(found?.Name, Is.EqualTo("no mail"));
        Assert.That(found!.Email, Is.Null);
    }

    [Test]
    public void GetAsync_WrongArityOrType_ThrowsNamingKey()
    {
        var arity = Assert.Throws<StockpileKeyException>(() => EntityKey.For<OrderLine>(1));
        Assert.That(arity!.Message, Does.Contain("OrderLine").And.Contain("2 part"));

        var type = Assert.ThrowsAsync<StockpileKeyException>(async () => await Store.GetAsync<Product, string>("not-an-int"));
        Assert.That(type!.KeyName, Is.EqualTo(nameof(Product.Id)));
        Assert.That(type.Message, Does.Contain("String").And.Contain("Int32"));
    }

    [Test]
    public async Task ConcurrentPutGetDelete_LeavesEveryKeyConsistent()
    {
        var ids = Enumerable.Range(0, 16).Select(_ => NextId()).ToArray();
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var round = 0; round < 120; round++)
            {
                var id = ids[random.Next(ids.Length)];
                switch (random.Next(4))
                {
                    case 0:
                    case 1:
                        await Store.PutAsync(NewProduct(id, $"SKU-{id}-{random.Next(3)}"));
                        break;
                    case 2:
                        await Store.GetAsync<Product, int>(id);
                        break;
                    default:
                        await Store.DeleteAsync(EntityKey.For<Product>(id));
                        break;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        foreach (var id in ids)
        {
            var byId = await Store.GetAsync<Product, int>(id);
            for (var variant = 0; variant < 3; variant++)
            {
                var sku = $"SKU-{id}-{variant}";
                var bySku = await Store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), sku));
                if (byId is not null && byId.Sku == sku)
                {
                    AssertProduct(byId, bySku);
                }
                else
                {
                    Assert.That(bySku, Is.Null, $"SKU {sku} still resolves although product {id} is {byId?.Sku ?? "gone"}");
                }
            }
        }
    }
}
