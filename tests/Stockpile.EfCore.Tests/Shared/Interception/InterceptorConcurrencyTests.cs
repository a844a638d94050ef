using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Stockpile.EfCore.Tests.Infrastructure;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Stores;

namespace Stockpile.EfCore.Tests.Interception;

[TestFixture]
public sealed class InterceptorConcurrencyTests
{
    private const int Rows = 6;
    private const int Rounds = 50;
    private const int Readers = 2;

    /// <summary>
    /// Two writers update the same rows (names, prices and SKUs) for many rounds, through their own contexts, some in
    /// explicit transactions, while readers fill the caches through the chain. After every round, once quiet, no cache
    /// tier may serve a state other than the database's, by primary key (and at the end by any SKU a row ever had). The
    /// second tier stands in for Redis: its calls take up to 3 ms, which opens the windows where a late cache update
    /// could land after a newer one. With <paramref name="evictInBackground"/> (the default) a save returns before that
    /// tier is evicted: quiet then also means the evictions behind the saves have ended (<c>SettleAsync</c>).
    /// </summary>
    [TestCase(StockpileCommitPolicy.Evict, true)]
    [TestCase(StockpileCommitPolicy.Evict, false)]
    [TestCase(StockpileCommitPolicy.WriteThrough, true)]
    public async Task ConcurrentWriters_OnceQuiet_EveryTierEqualsDatabase(StockpileCommitPolicy policy, bool evictInBackground)
    {
        var harness = new CacheHarness(policy, second: new FaultyStore("remote", latency: TimeSpan.FromMilliseconds(3)), chainOptions: new ChainedStoreOptions { EvictSharedTiersInBackground = evictInBackground });
        var products = await harness.SeedCachedAsync(Enumerable.Range(0, Rows).Select(_ => InterceptorChangeTests.NewProduct()).ToArray());
        var ids = products.Select(p => p.Id).ToArray();
        var skus = new ConcurrentDictionary<int, ConcurrentBag<string>>(products.Select(p => KeyValuePair.Create(p.Id, new ConcurrentBag<string> { p.Sku })));
        using var done = new CancellationTokenSource();
        using var gate = new SemaphoreSlim(Readers, Readers);

        var readers = Enumerable.Range(0, Readers).Select(reader => Task.Run(async () =>
        {
            var random = new Random(reader + 100);
            while (!done.IsCancellationRequested)
            {
                await gate.WaitAsync();
                try
                {
                    var id = ids[random.Next(ids.Length)];
                    if (random.Next(2) == 0)
                    {
                        await harness.Chain.GetManyAsync<Product, int>(ids);
                    }
                    else if (await harness.Chain.GetAsync<Product, int>(id) is { } found)
                    {
                        await harness.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), found.Sku));
                    }
                }
                finally
                {
                    gate.Release();
                }
            }
        })).ToArray();

        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                // Both writers start the round together, so their commits of the same rows overlap.
                await Task.WhenAll(Enumerable.Range(0, 2).Select(worker => Task.Run(() => WriteRoundAsync(harness, ids, skus, worker, round, new Random((worker * 7919) + round)))));

                // Quiet: no write and no read under way. Every tier must now serve the database's state or nothing.
                for (var i = 0; i < Readers; i++)
                {
                    await gate.WaitAsync();
                }

                try
                {
                    Assert.That(await harness.Chain.SettledAsync(), Is.True, "the evictions behind the saves and the back-fills end");
                    foreach (var id in ids)
                    {
                        await harness.AssertCachesMatchDatabaseAsync(id, round == Rounds - 1 ? [.. skus[id].Distinct()] : []);
                    }
                }
                finally
                {
                    gate.Release(Readers);
                }
            }
        }
        finally
        {
            await done.CancelAsync();
            await Task.WhenAll(readers);
        }

        foreach (var id in ids)
        {
            Assert.That((await harness.Chain.GetAsync<Product, int>(id))?.Name, Is.EqualTo((await CacheHarness.FromDatabaseAsync(id))!.Name));
        }
    }

    private static async Task WriteRoundAsync(CacheHarness harness, int[] ids, ConcurrentDictionary<int, ConcurrentBag<string>> skus, int worker, int round, Random random)
    {
        var chosen = ids.OrderBy(_ => random.Next()).Take(3).ToList();
        for (var attempt = 0; ; attempt++)
        {
            await using var context = harness.App.CreateDbContext();
            var transaction = round % 3 == 0 ? await context.Database.BeginTransactionAsync() : null;
            try
            {
                foreach (var product in await context.Set<Product>().Where(p => chosen.Contains(p.Id)).ToListAsync())
                {
                    product.Name = $"w{worker}-r{round}";
                    product.Price = (worker * 1000) + round;
                    if (random.Next(3) == 0)
                    {
                        product.Sku = $"{product.Id}-w{worker}-r{round}";
                        skus[product.Id].Add(product.Sku);
                    }

                    if (round % 2 == 0)
                    {
                        // Every column written: write-through takes the saved values rather than reading the row again.
                        context.Entry(product).State = EntityState.Modified;
                    }
                }

                await context.SaveChangesAsync();
                if (transaction is not null)
                {
                    await transaction.CommitAsync();
                }

                return;
            }
            catch (Exception ex) when (attempt < 20 && ex is DbUpdateException or InvalidOperationException)
            {
                // SQLite reports a busy database; PostgreSQL may report a deadlock between the writers: try the round again.
            }
            finally
            {
                if (transaction is not null)
                {
                    await transaction.DisposeAsync();
                }
            }
        }
    }
}
