using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests;

/// <summary>
/// Instance A loses Redis (a partition: the server keeps running, with its data) while B keeps it. What A changes
/// meanwhile cannot reach Redis nor B; once A is back, neither Redis nor B's memory may serve the old values.
/// </summary>
[NonParallelizable]
public sealed class RedisPartitionTests
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(20);

    [Test]
    public async Task ChangesMadeDuringAPartition_AreNeverServedAfterRecovery()
    {
        await using var server = await RedisServer.StartAsync();
        await using var proxy = new TcpProxy(server.Port);
        var source = new FakeDatabase();
        var prefix = TestStores.UniquePrefix();
        await using var a = await AppInstance.StartAsync(RedisServer.Host + ":" + proxy.Port, prefix, b => b.AddTier(_ => source), configureRedis: TestStores.FailFast);
        await using var b = await AppInstance.StartAsync(server.ConnectionString, prefix, b => b.AddTier(_ => source), configureRedis: TestStores.FailFast);
        var ids = Enumerable.Range(1, 10).ToArray();
        await source.PutManyAsync(ids.Select(id => new Product { Id = id, Sku = $"S{id}", Name = "v1" }));
        await a.Chain.GetManyAsync<Product, int>(ids);
        await b.Chain.GetManyAsync<Product, int>(ids);
        Assert.That(await a.Chain.SettleAsync(CancellationToken.None) && await b.Chain.SettleAsync(CancellationToken.None), Is.True, "the Redis back-fills land before the partition, not during it");

        proxy.Cut();
        var changed = ids.Take(5).Select(id => new Product { Id = id, Sku = $"S{id}", Name = "v2" }).ToArray();
        await source.PutManyAsync(changed);
        await a.Chain.InvalidateAsync(changed.Select(EntityKey.FromEntity));
        await a.Chain.PutAsync(new Product { Id = 6, Sku = "S6", Name = "v2" });
        var duringPartition = await a.Chain.GetManyAsync<Product, int>(ids);
        Assert.That(duringPartition.Select(p => p!.Name), Is.EqualTo(Expected(6)), "A reads through to the source while Redis is away");

        proxy.Restore();
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(a.Count("MissedKeysRemoved") > 0 && a.Count("BackplaneRepublished") > 0), RecoveryBound);
        await RedisBackplaneTests.WaitUntilAsync(async () => (await b.Chain.GetManyAsync<Product, int>(ids)).Select(p => p?.Name).SequenceEqual(Expected(6)));

        Assert.Multiple(async () =>
        {
            Assert.That((await a.Chain.GetManyAsync<Product, int>(ids)).Select(p => p?.Name), Is.EqualTo(Expected(6)));
            foreach (var id in ids)
            {
                var cached = await b.Redis.GetAsync<Product, int>(id);
                Assert.That(cached?.Name, Is.Null.Or.EqualTo(Expected(6)[id - 1]), $"Redis holds an old value of {id}");
            }

            Assert.That(a.Redis.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
        });
    }

    private static string[] Expected(int changedUpTo) => Enumerable.Range(1, 10).Select(id => id <= changedUpTo ? "v2" : "v1").ToArray();
}
