using Stockpile.Testing.Entities;

namespace Stockpile.Testing.Tokens;

/// <summary>
/// What an <see cref="IStockpileKeyBuilder"/> promises on any token tier: a fixture per tier (process memory; Redis on
/// a server and on the cluster) derives from this class.
/// </summary>
public abstract class KeyBuilderContractTests
{
    /// <summary>Creates a key builder over the fixture's token tier; a second call stands for another application instance over the same tier.</summary>
    /// <returns>The builder.</returns>
    protected abstract ValueTask<IStockpileKeyBuilder> CreateBuilderAsync();

    /// <summary>Gets a name no other test uses, so tests on a shared server never meet.</summary>
    protected static string UniqueName() => "k" + Guid.NewGuid().ToString("N");

    [Test]
    public async Task BuildAsync_SameParts_SameKey_AcrossBuilders()
    {
        var a = await CreateBuilderAsync();
        var b = await CreateBuilderAsync();
        var key = StockpileKey.For("page").With(new Product { Id = Random.Shared.Next() }).WithType<Customer>().WithValue("en-GB").WithValue(3);

        var first = await a.BuildAsync(key);

        Assert.That(first, Does.StartWith("page:"));
        Assert.That(await a.BuildAsync(key), Is.EqualTo(first));
        Assert.That(await b.BuildAsync(key), Is.EqualTo(first));
    }

    [Test]
    public async Task BuildAsync_OtherValuesOrEntities_OtherKeys()
    {
        var builder = await CreateBuilderAsync();
        var id = Random.Shared.Next(1, int.MaxValue - 1);
        string[] keys =
        [
            await builder.BuildAsync(StockpileKey.For("page").WithId<Product>(id)),
            await builder.BuildAsync(StockpileKey.For("page").WithId<Product>(id + 1)),
            await builder.BuildAsync(StockpileKey.For("page").WithId<Product>(id).WithValue(1)),
            await builder.BuildAsync(StockpileKey.For("page").WithId<Product>(id).WithValue("1")),
            await builder.BuildAsync(StockpileKey.For("page").WithId<Product>(id).WithValue(null)),
            await builder.BuildAsync(StockpileKey.For("page").WithId<Automobile>(id)),
            await builder.BuildAsync(StockpileKey.For("other").WithId<Product>(id)),
        ];

        Assert.That(keys, Is.Unique);
    }

    [Test]
    public async Task InvalidateAsync_Entity_ChangesKeysNamingIt_OnEveryInstance_AndNoOthers()
    {
        var a = await CreateBuilderAsync();
        var b = await CreateBuilderAsync();
        var product = new Product { Id = Random.Shared.Next(), Sku = UniqueName() };
        var other = new Product { Id = product.Id == 0 ? 1 : product.Id - 1 };
        var byEntity = StockpileKey.For("page").With(product);
        var byId = StockpileKey.For("page").WithId<Product>(product.Id);
        var byOther = StockpileKey.For("page").With(other);
        var before = (Entity: await b.BuildAsync(byEntity), Id: await b.BuildAsync(byId), Other: await b.BuildAsync(byOther));

        await a.InvalidateAsync(StockpileKey.For("commit").With(product));

        Assert.That(await b.BuildAsync(byEntity), Is.Not.EqualTo(before.Entity));
        Assert.That(await b.BuildAsync(byId), Is.Not.EqualTo(before.Id), "an id names the same entity as the object");
        Assert.That(await b.BuildAsync(byOther), Is.EqualTo(before.Other));
        Assert.That(await a.BuildAsync(byEntity), Is.EqualTo(await b.BuildAsync(byEntity)));
    }

    [Test]
    public async Task InvalidateAsync_Type_ChangesKeysOfTheType_NotOfOtherTypes()
    {
        var builder = await CreateBuilderAsync();
        var products = StockpileKey.For("list").WithType<Product>();
        var customers = StockpileKey.For("list").WithType<Customer>();
        var before = (Products: await builder.BuildAsync(products), Customers: await builder.BuildAsync(customers));

        await builder.InvalidateAsync(StockpileKey.For("commit").WithType<Product>());

        Assert.That(await builder.BuildAsync(products), Is.Not.EqualTo(before.Products));
        Assert.That(await builder.BuildAsync(customers), Is.EqualTo(before.Customers));
    }

    [Test]
    public async Task InvalidateAsync_Global_ChangesEveryKeyNamingIt()
    {
        var builder = await CreateBuilderAsync();
        var global = StockpileKey.For("dashboard").WithGlobal();
        var before = await builder.BuildAsync(global);

        await builder.InvalidateAsync(StockpileKey.For("commit").WithGlobal());

        Assert.That(await builder.BuildAsync(global), Is.Not.EqualTo(before));
    }

    [Test]
    public async Task BuildAsync_NoTokens_DependsOnlyOnNameAndValues()
    {
        var builder = await CreateBuilderAsync();

        Assert.That(await builder.BuildAsync(StockpileKey.For("plain").WithValue(Guid.Empty)), Is.EqualTo(await builder.BuildAsync(StockpileKey.For("plain").WithValue(Guid.Empty))));
    }

    [Test]
    public void WithValue_UnsupportedType_ThrowsNamingTheKeyAndType()
    {
        var error = Assert.Throws<ArgumentException>(() => StockpileKey.For("page").WithValue(new object()));

        Assert.That(error!.Message, Does.Contain("'page'").And.Contain("'Object'"));
    }
}
