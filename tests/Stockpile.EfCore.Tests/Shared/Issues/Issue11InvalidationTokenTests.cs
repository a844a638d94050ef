using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.EfCore.Tests.Interception;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 11: after a commit, the interceptor changes the tokens of every changed instance, its type (and base types) and
/// the global token, so keys built from them change; a rollback changes none. Tokens in the process memory (no Redis);
/// the Redis suite runs the two-instance case.
/// </summary>
[TestFixture]
public sealed class Issue11InvalidationTokenTests
{
    private ServiceProvider _services = null!;
    private IStockpileKeyBuilder _keys = null!;

    [SetUp]
    public void SetUp()
    {
        _services = CreateServices();
        _keys = _services.GetRequiredService<IStockpileKeyBuilder>();
    }

    /// <summary>An app with memory → EF Core, the interceptor, a cache and invalidation tokens in process memory.</summary>
    internal static ServiceProvider CreateServices()
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<TestDbContext>((sp, o) =>
        {
            TestDatabase.Current.Configure(o);
            o.AddStockpileInterceptor(sp);
        });
        services.AddStockpile().AddMemoryStore().AddEfCoreStore<TestDbContext>().AddCache().AddInvalidationTokens();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    [TearDown]
    public ValueTask TearDownAsync() => _services.DisposeAsync();

    private TestDbContext NewContext() => _services.GetRequiredService<IDbContextFactory<TestDbContext>>().CreateDbContext();

    private async Task<Product[]> SeedAsync(int count)
    {
        var products = Enumerable.Range(0, count).Select(_ => InterceptorChangeTests.NewProduct()).ToArray();
        await using var context = NewContext();
        context.AddRange(products);
        await context.SaveChangesAsync();
        return products;
    }

    private async Task<string[]> BuildAllAsync(params StockpileKey[] keys)
    {
        var built = new string[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            built[i] = await _keys.BuildAsync(keys[i]);
        }

        return built;
    }

    [Test]
    public async Task SaveChanges_Modified_ChangesKeysOfTheInstanceItsTypeAndGlobal_NotOthers()
    {
        var products = await SeedAsync(2);
        StockpileKey[] keys =
        [
            StockpileKey.For("page").With(products[0]),
            StockpileKey.For("page").With(EntityKey.Of<Product>(nameof(Product.Sku), products[0].Sku)),
            StockpileKey.For("list").WithType<Product>(),
            StockpileKey.For("all").WithGlobal(),
            StockpileKey.For("page").WithId<Product>(products[1].Id),
            StockpileKey.For("list").WithType<Customer>(),
        ];
        var before = await BuildAllAsync(keys);

        await using (var context = NewContext())
        {
            (await context.Products.SingleAsync(p => p.Id == products[0].Id)).Name = "changed";
            await context.SaveChangesAsync();
        }

        var after = await BuildAllAsync(keys);
        for (var i = 0; i < 4; i++)
        {
            Assert.That(after[i], Is.Not.EqualTo(before[i]), $"key {i} (instance by primary and alternate key, type, global) did not change");
        }

        Assert.That(after[4..], Is.EqualTo(before[4..]), "another product and another type keep their keys");
    }

    [Test]
    public async Task CachedUnderATokenKey_AfterACommit_NeverServedStale()
    {
        var product = (await SeedAsync(1))[0];
        var cache = _services.GetRequiredService<IStockpileCache>();
        var key = StockpileKey.For("product-page").WithId<Product>(product.Id);

        async Task<string> RenderAsync()
        {
            return await cache.GetOrCreateAsync(await _keys.BuildAsync(key), product.Id, async (id, ct) =>
            {
                await using var read = NewContext();
                return "<h1>" + (await read.Products.SingleAsync(p => p.Id == id, ct)).Name + "</h1>";
            });
        }

        Assert.That(await RenderAsync(), Is.EqualTo($"<h1>{product.Name}</h1>"));
        await using (var context = NewContext())
        {
            (await context.Products.SingleAsync(p => p.Id == product.Id)).Name = "renamed";
            await context.SaveChangesAsync();
        }

        Assert.That(await RenderAsync(), Is.EqualTo("<h1>renamed</h1>"));
    }

    [Test]
    public async Task ExplicitTransaction_Rollback_ChangesNoKey_Commit_ChangesThemOnlyAtCommit()
    {
        var product = (await SeedAsync(1))[0];
        StockpileKey[] keys = [StockpileKey.For("page").With(product), StockpileKey.For("list").WithType<Product>(), StockpileKey.For("all").WithGlobal()];
        var before = await BuildAllAsync(keys);

        await using var context = NewContext();
        await using (var rolledBack = await context.Database.BeginTransactionAsync())
        {
            (await context.Products.SingleAsync(p => p.Id == product.Id)).Name = "rolled back";
            await context.SaveChangesAsync();
            await rolledBack.RollbackAsync();
        }

        Assert.That(await BuildAllAsync(keys), Is.EqualTo(before), "a rollback changes no token");

        context.ChangeTracker.Clear();
        await using var committed = await context.Database.BeginTransactionAsync();
        (await context.Products.SingleAsync(p => p.Id == product.Id)).Name = "committed";
        await context.SaveChangesAsync();
        Assert.That(await BuildAllAsync(keys), Is.EqualTo(before), "nothing is committed yet");

        await committed.CommitAsync();
        var after = await BuildAllAsync(keys);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.That(after[i], Is.Not.EqualTo(before[i]), $"key {i} did not change at commit");
        }
    }

    [Test]
    public async Task ExecuteUpdate_ByKey_ChangesThatInstanceAndType_ByOtherPredicate_ChangesTheType()
    {
        var products = await SeedAsync(2);
        StockpileKey[] keys = [StockpileKey.For("page").With(products[0]), StockpileKey.For("page").With(products[1]), StockpileKey.For("list").WithType<Product>()];
        var before = await BuildAllAsync(keys);

        await using (var context = NewContext())
        {
            await context.Products.Where(p => p.Id == products[0].Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "bulk"));
        }

        var afterByKey = await BuildAllAsync(keys);
        Assert.That(afterByKey[0], Is.Not.EqualTo(before[0]));
        Assert.That(afterByKey[1], Is.EqualTo(before[1]), "the statement pinned another row");
        Assert.That(afterByKey[2], Is.Not.EqualTo(before[2]));

        await using (var context = NewContext())
        {
            await context.Products.Where(p => p.Name == "no such name").ExecuteDeleteAsync();
        }

        Assert.That(await _keys.BuildAsync(keys[2]), Is.Not.EqualTo(afterByKey[2]), "any bulk statement on the table changes the type");
    }

    [Test]
    public async Task SaveChanges_DerivedEntity_ChangesTheBaseTypesKeysToo()
    {
        var id = InterceptorChangeTests.NewProduct().Id;
        var car = new Car { Id = id, Make = "Fiat", Vin = $"VIN{id}", Doors = 5 };
        await using (var context = NewContext())
        {
            context.Add(car);
            await context.SaveChangesAsync();
        }

        StockpileKey[] keys = [StockpileKey.For("list").WithType<Automobile>(), StockpileKey.For("list").WithType<Car>(), StockpileKey.For("page").WithId<Automobile>(id)];
        var before = await BuildAllAsync(keys);
        await using (var context = NewContext())
        {
            (await context.Set<Car>().SingleAsync(c => c.Id == id)).Doors = 3;
            await context.SaveChangesAsync();
        }

        var after = await BuildAllAsync(keys);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.That(after[i], Is.Not.EqualTo(before[i]), $"key {i} did not change");
        }
    }

    [Test]
    public async Task SaveChanges_TypeStockpileDoesNotTrack_ChangesItsTypeAndTheGlobalKeys()
    {
        // Warehouse declares no [StockpileKey] and the store does not use model keys: no cache holds it by key, yet a
        // commit of it is a commit, so keys built on its type and on the global token change.
        StockpileKey[] keys = [StockpileKey.For("list").WithType<Warehouse>(), StockpileKey.For("all").WithGlobal(), StockpileKey.For("list").WithType<Product>()];
        var before = await BuildAllAsync(keys);

        await using (var context = NewContext())
        {
            var id = InterceptorChangeTests.NewProduct().Id;
            context.Warehouses.Add(new Warehouse { Id = id, Code = $"W{id}", City = "Lyon" });
            await context.SaveChangesAsync();
        }

        var after = await BuildAllAsync(keys);
        Assert.That(after[0], Is.Not.EqualTo(before[0]), "the type's key did not change");
        Assert.That(after[1], Is.Not.EqualTo(before[1]), "the global key did not change");
        Assert.That(after[2], Is.EqualTo(before[2]));
    }
}
