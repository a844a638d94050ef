using Microsoft.EntityFrameworkCore;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>
/// The chain memory → memory (copying, standing in for Redis) → EF Core, and a factory of application contexts that
/// carry the Stockpile interceptor. The store's own contexts carry none.
/// </summary>
public sealed class CacheHarness
{
    public CacheHarness(StockpileCommitPolicy policy = StockpileCommitPolicy.Evict, Action<StockpileInterceptorOptions>? configure = null, ObjectStore? top = null, ObjectStore? second = null, ChainedStoreOptions? chainOptions = null)
    {
        L1 = top ?? new MemoryStore(new MemoryStoreOptions { Name = "l1" });
        L2 = second ?? new MemoryStore(new MemoryStoreOptions { Name = "l2", CopyObjects = true });
        Source = new EfCoreStore<TestDbContext>(Database.Factory<TestDbContext>());
        Chain = new ChainedStore([L1, L2, Source], chainOptions);
        App = Database.Factory<TestDbContext>(b => b.AddStockpileInterceptor(Chain, o =>
        {
            o.DefaultPolicy = policy;
            configure?.Invoke(o);
        }));
    }

    public static TestDatabase Database => TestDatabase.Current;

    public ObjectStore L1 { get; }

    public ObjectStore L2 { get; }

    public EfCoreStore<TestDbContext> Source { get; }

    public ChainedStore Chain { get; }

    public TestContextFactory<TestDbContext> App { get; }

    public IEnumerable<ObjectStore> Caches => [L1, L2];

    /// <summary>Reads a product straight from the database, around every cache.</summary>
    public static async Task<Product?> FromDatabaseAsync(int id)
    {
        await using var context = Database.Factory<TestDbContext>().CreateDbContext();
        return await context.Set<Product>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == id);
    }

    /// <summary>Inserts products without the interceptor, then reads them through the chain so every tier holds them.</summary>
    public async Task<List<Product>> SeedCachedAsync(params Product[] products)
    {
        await Source.PutManyAsync(products);
        await Chain.GetManyAsync<Product, int>(products.Select(p => p.Id));
        foreach (var product in products)
        {
            Assert.That(await L2.GetAsync<Product, int>(product.Id), Is.Not.Null, "seeding must fill the caches");
        }

        return [.. products];
    }

    /// <summary>Asserts that no cache tier serves a product state other than the database's, by id and by SKU.</summary>
    public async Task AssertCachesMatchDatabaseAsync(int id, params string[] skusEverUsed)
    {
        var database = await FromDatabaseAsync(id);
        foreach (var tier in Caches)
        {
            var cached = await tier.GetAsync<Product, int>(id);
            if (cached is not null)
            {
                Assert.That(database, Is.Not.Null, $"tier '{tier.Name}' serves product {id}, which the database no longer has");
                Assert.That((cached.Sku, cached.Name, cached.Price), Is.EqualTo((database!.Sku, database.Name, database.Price)), $"tier '{tier.Name}' serves a stale product {id}");
            }

            foreach (var sku in skusEverUsed)
            {
                var bySku = await tier.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), sku));
                if (bySku is not null)
                {
                    Assert.That(database?.Sku, Is.EqualTo(sku), $"tier '{tier.Name}' still resolves SKU {sku} to product {bySku.Id}, but the database moved it");
                    Assert.That((bySku.Id, bySku.Name, bySku.Price), Is.EqualTo((database!.Id, database.Name, database.Price)), $"tier '{tier.Name}' serves a stale product by SKU {sku}");
                }
            }
        }
    }
}
