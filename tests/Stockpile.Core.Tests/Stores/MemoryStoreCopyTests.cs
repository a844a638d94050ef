using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class MemoryStoreCopyTests
{
    [Test]
    public async Task GetAsync_Default_ReturnsTheInstancePut()
    {
        var store = new MemoryStore();
        var product = NewProduct();
        await store.PutAsync(product);

        Assert.That(await store.GetAsync<Product, int>(1), Is.SameAs(product));
        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "SKU-1")), Is.SameAs(product));
    }

    [Test]
    public async Task GetAsync_CopyObjects_ReturnsDistinctCopies()
    {
        var store = new MemoryStore(new MemoryStoreOptions { CopyObjects = true });
        var product = NewProduct();
        await store.PutAsync(product);

        var first = await store.GetAsync<Product, int>(1);
        var second = await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "SKU-1"));
        var batch = (await store.GetManyAsync<Product, int>([1])).Single();

        Assert.That(new object?[] { product, first, second, batch }, Is.Unique.Using<object>(ReferenceEqualityComparer.Instance));
        Assert.That(new[] { first, second, batch }.Select(p => (p!.Id, p.Sku, p.Name, p.Price)), Is.All.EqualTo((1, "SKU-1", "Widget", 9.5m)));
    }

    [Test]
    public async Task GetAsync_CopyObjects_ChangingWhatWasReturnedLeavesStoreAlone()
    {
        var store = new MemoryStore(new MemoryStoreOptions { CopyObjects = true });
        await store.PutAsync(NewProduct());

        var got = await store.GetAsync<Product, int>(1);
        got!.Name = "changed by a caller";
        got.Price = 0m;

        var again = await store.GetAsync<Product, int>(1);
        Assert.That((again!.Name, again.Price), Is.EqualTo(("Widget", 9.5m)));
    }

    [Test]
    public async Task PutAsync_CopyObjects_ChangingTheOriginalLeavesStoreAlone()
    {
        var store = new MemoryStore(new MemoryStoreOptions { CopyObjects = true });
        var product = NewProduct();
        await store.PutAsync(product);

        product.Name = "changed after the put";

        Assert.That((await store.GetAsync<Product, int>(1))!.Name, Is.EqualTo("Widget"));
    }

    private static Product NewProduct() => new() { Id = 1, Sku = "SKU-1", Name = "Widget", Price = 9.5m };
}
