using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Stores;

[TestFixture]
public sealed class MemoryStoreTests
{
    [Test]
    public void Defaults_NameAndNature()
    {
        var store = new MemoryStore();

        Assert.That((store.Name, store.IsProcessLocal, store.IsSourceOfTruth, store.IsPolymorphic), Is.EqualTo(("memory", true, false, false)));
    }

    [Test]
    public async Task ClearAsync_Type_LeavesOtherTypes()
    {
        var store = new MemoryStore();
        await store.PutAsync(new Product { Id = 1, Sku = "P1" });
        await store.PutAsync(new Customer { Code = "C1" });

        await store.ClearAsync(typeof(Product));

        Assert.That(await store.GetAsync<Product, int>(1), Is.Null);
        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), "P1")), Is.Null);
        Assert.That(await store.GetAsync<Customer, string>("C1"), Is.Not.Null);
        Assert.That(store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task GetAsync_PrimaryKeyOfOtherIntegerType_FallsBackAndFinds()
    {
        var store = new MemoryStore();
        await store.PutAsync(new Product { Id = 1, Sku = "P1" });

        Assert.That(await store.GetAsync<Product, long>(1L), Is.Not.Null);
        Assert.That(await store.GetAsync<Product, short>(1), Is.Not.Null);
    }
}
