using StackExchange.Redis;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9, batch reads from the undecoded <c>MGET</c> reply: a batch whose wait is cancelled while Redis has not
/// answered throws <see cref="OperationCanceledException"/>, and the reply that comes later (a pooled buffer) is
/// released and never taken for another call's.
/// </summary>
public sealed class Issue9BatchReplyCancelTests
{
    [Test]
    public async Task GetManyAsyncByPrimaryKey_CancelledWhileRedisIsFrozen_ThrowsOperationCanceled_LaterBatchesRight()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        await using var store = TestStores.Create(connection);
        var products = Enumerable.Range(0, 50).Select(_ => TestStores.NewProduct()).ToList();
        await store.PutManyAsync(products);
        var ids = products.Select(p => p.Id).ToList();
        await store.GetAsync<Product, int>(ids[0]);

        await server.FreezeAsync();
        Task<IReadOnlyList<Product?>> frozen;
        using (var cancellation = new CancellationTokenSource())
        {
            frozen = store.GetManyAsync<Product, int>(ids, cancellation.Token).AsTask();
            await cancellation.CancelAsync();
            Assert.That(async () => await frozen, Throws.InstanceOf<OperationCanceledException>());
        }

        await server.ThawAsync();
        var reversed = Enumerable.Reverse(ids).ToList();
        var afterwards = await store.GetManyAsync<Product, int>(reversed);
        var again = await store.GetManyAsync<Product, int>(ids);

        Assert.Multiple(() =>
        {
            Assert.That(afterwards.Select(p => p?.Id), Is.EqualTo(reversed.Select(id => (int?)id)));
            Assert.That(again.Select(p => p?.Name), Is.EqualTo(products.Select(p => p.Name)));
        });
    }
}
