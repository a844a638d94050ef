using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;

namespace Stockpile.EfCore.Tests.Issues;

/// <summary>
/// Issue 8: concurrent cold gets of one key made one database query each (50 gets, 50 queries). Misses of one look-up
/// in one process now read the database once and share the result; overlapping batches join each other's reads.
/// Every query is held until all callers have called, so each of them misses.
/// </summary>
public sealed class Issue8MissCoalescingTests
{
    private static int s_nextId = 8_000_000; // seven digits: the ids are found in the queries by their length

    [Test]
    public async Task GetAsync_1000ConcurrentColdGetsOfOneKey_OneDatabaseQuery([Values] bool bySku)
    {
        var queries = new HeldQueries();
        var chain = new ChainedStore([new MemoryStore(), new EfCoreStore<TestDbContext>(TestDatabase.Current.Factory<TestDbContext>(queries))]);
        var product = NewProducts(1)[0];
        await new EfCoreStore<TestDbContext>(TestDatabase.Current.Factory<TestDbContext>()).PutAsync(product);
        var key = bySku ? EntityKey.Of<Product>(nameof(Product.Sku), product.Sku) : EntityKey.For<Product>(product.Id);

        var gets = Enumerable.Range(0, 1000).Select(_ => chain.GetAsync<Product>(key).AsTask()).ToList();
        queries.Release();
        var found = await Task.WhenAll(gets);

        Assert.That(found.Select(p => p?.Name), Has.All.EqualTo(product.Name));
        Assert.That(queries.Queries, Has.Count.EqualTo(1), "one database query for 1,000 concurrent misses");
    }

    [Test]
    public async Task GetManyAsync_50OverlappingBatches_EachKeyQueriedOnce()
    {
        var queries = new HeldQueries();
        var chain = new ChainedStore([new MemoryStore(), new EfCoreStore<TestDbContext>(TestDatabase.Current.Factory<TestDbContext>(queries))]);
        var products = NewProducts(59);
        await new EfCoreStore<TestDbContext>(TestDatabase.Current.Factory<TestDbContext>()).PutManyAsync(products);
        var ids = products.Select(p => p.Id).ToArray();

        var batches = Enumerable.Range(0, 50).Select(i => chain.GetManyAsync<Product, int>(ids.Skip(i).Take(10)).AsTask()).ToList();
        queries.Release();
        var found = await Task.WhenAll(batches);

        for (var i = 0; i < found.Length; i++)
        {
            Assert.That(found[i].Select(p => p?.Id), Is.EqualTo(ids.Skip(i).Take(10)).AsCollection);
        }

        var queried = queries.Numbers(digits: 7).Where(ids.Contains).ToList();
        Assert.That(queried, Is.EquivalentTo(ids), "each key was queried once");
    }

    private static List<Product> NewProducts(int count)
    {
        var first = Interlocked.Add(ref s_nextId, count) - count;
        return [.. Enumerable.Range(first, count).Select(id => new Product { Id = id, Sku = $"COAL-{id}", Name = $"Product {id}", Price = 2m })];
    }
}
