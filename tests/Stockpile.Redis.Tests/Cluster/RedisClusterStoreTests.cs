using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Cluster;

/// <summary>
/// The store on a real three-master cluster, beyond the contract suites: batch reads split by slot, and alternate keys
/// moved among objects by concurrent writers while readers look them up.
/// </summary>
public sealed class RedisClusterStoreTests
{
    [Test]
    public async Task GetManyAsync_OnTheCluster_ReadsEachSlotOnce_AllAtOnce()
    {
        await using var connection = await RedisClusterEnvironment.ConnectAsync();
        var commands = new CommandRecorder(connection);
        await using var store = TestStores.Create(connection);
        var products = Enumerable.Range(0, 100).Select(_ => TestStores.NewProduct()).ToList();
        await store.PutManyAsync(products);
        var slots = products.Select(p => connection.HashSlot(TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Product>(p.Id)))).Distinct().Count();
        commands.Start();

        var found = await store.GetManyAsync<Product, int>(products.Select(p => p.Id));

        Assert.That(found.Select(p => p?.Name), Is.EqualTo(products.Select(p => p.Name)));
        Assert.That(commands.Stop(), Has.Length.EqualTo(slots).And.All.EqualTo("MGET"), "one MGET per hash slot, sent together, no CROSSSLOT");
    }

    [Test]
    public async Task ConcurrentWritersMovingAlternateKeys_NoReaderGetsAnObjectByAKeyItNoLongerHolds()
    {
        await using var instances = await SeparateInstanceStores.StartAsync(4, cluster: true);
        var stores = instances.Stores;

        var ids = Enumerable.Range(1, 8).Select(_ => TestStores.NextId()).ToArray();
        var skus = Enumerable.Range(0, 5).Select(i => $"S{i}").ToArray();
        var wrong = new List<string>();
        var reads = 0;
        using var stop = new CancellationTokenSource();
        var writers = AlternateKeyWriters.RunAsync(stores, ids, skus, workers: 8, rounds: 120);
        var readers = Enumerable.Range(0, 4).Select(reader => Task.Run(async () =>
        {
            var store = stores[reader];
            while (!stop.IsCancellationRequested)
            {
                foreach (var sku in skus)
                {
                    var found = await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), sku));
                    Interlocked.Increment(ref reads);
                    if (found is not null && found.Sku != sku)
                    {
                        lock (wrong)
                        {
                            wrong.Add($"{sku} gave {found}");
                        }
                    }
                }

                var many = await store.GetManyAsync<Product>(skus.Select(s => EntityKey.Of<Product>(nameof(Product.Sku), s)));
                for (var i = 0; i < skus.Length; i++)
                {
                    if (many[i] is { } item && item.Sku != skus[i])
                    {
                        lock (wrong)
                        {
                            wrong.Add($"{skus[i]} (batch) gave {item}");
                        }
                    }
                }
            }
        })).ToArray();

        await writers;
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.That(reads, Is.GreaterThan(100), "the readers ran alongside the writers");
        Assert.That(wrong, Is.Empty);
        foreach (var sku in skus)
        {
            var found = await stores[0].GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), sku));
            Assert.That(found?.Sku, Is.EqualTo(found is null ? null : sku), "after the writers, too");
        }
    }
}
