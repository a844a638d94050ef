using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Interception;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 12, found by the torture suite once its workload read values under token keys: a chain put or delete whose
/// source of truth is the EF Core store commits through the store's own save, which the interceptor leaves to the
/// chain (it updates the cache tiers and tells other instances itself). Only the global token changed at that commit:
/// the instance's tokens and its type's did not, so a value cached under a key built from them kept the old state,
/// on every instance, until it expired.
/// </summary>
[TestFixture]
public sealed class Issue12ChainWriteTokenTests
{
    private ServiceProvider _services = null!;
    private IStockpileKeyBuilder _keys = null!;
    private ChainedStore _chain = null!;

    [SetUp]
    public void SetUp()
    {
        _services = Issue11InvalidationTokenTests.CreateServices();
        _keys = _services.GetRequiredService<IStockpileKeyBuilder>();
        _chain = _services.GetRequiredService<ChainedStore>();
    }

    [TearDown]
    public ValueTask TearDownAsync() => _services.DisposeAsync();

    private async Task<Product> SeedAsync()
    {
        var product = InterceptorChangeTests.NewProduct();
        await using var context = await _services.GetRequiredService<IDbContextFactory<TestDbContext>>().CreateDbContextAsync();
        context.Add(product);
        await context.SaveChangesAsync();
        return product;
    }

    private async Task<string[]> BuildAsync(Product product) =>
    [
        await _keys.BuildAsync(StockpileKey.For("page").WithId<Product>(product.Id)),
        await _keys.BuildAsync(StockpileKey.For("page").With(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku))),
        await _keys.BuildAsync(StockpileKey.For("list").WithType<Product>()),
    ];

    [Test]
    public async Task ChainPut_ThroughTheEfCoreStore_ChangesTheKeysOfTheInstanceAndItsType()
    {
        var product = await SeedAsync();
        var before = await BuildAsync(product);

        product.Name = "renamed through the chain";
        await _chain.PutAsync(product);

        var after = await BuildAsync(product);
        Assert.Multiple(() =>
        {
            Assert.That(after[0], Is.Not.EqualTo(before[0]), "by id");
            Assert.That(after[1], Is.Not.EqualTo(before[1]), "by SKU");
            Assert.That(after[2], Is.Not.EqualTo(before[2]), "the type");
        });
    }

    [Test]
    public async Task ChainDelete_ThroughTheEfCoreStore_ChangesTheKeysOfTheInstanceAndItsType()
    {
        var product = await SeedAsync();
        var before = await BuildAsync(product);

        await _chain.DeleteAsync(EntityKey.For<Product>(product.Id));

        var after = await BuildAsync(product);
        Assert.Multiple(() =>
        {
            Assert.That(after[0], Is.Not.EqualTo(before[0]), "by id");
            Assert.That(after[1], Is.Not.EqualTo(before[1]), "by SKU");
            Assert.That(after[2], Is.Not.EqualTo(before[2]), "the type");
        });
    }
}
