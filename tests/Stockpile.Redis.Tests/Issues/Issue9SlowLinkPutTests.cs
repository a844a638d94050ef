using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9, the raw read that found nothing right after an awaited put (<c>Issue9StoredFormTests</c>, seen once under
/// load): on a cluster, a put's object script of an object with alternate keys that reached its node more than
/// <see cref="RedisScripts.LatePutMilliseconds"/> after its stamp evicted the object (its alternate keys' fences live in
/// other slots), and the caller, still waiting, checked those fences and put again with a new stamp, up to five times,
/// then left the object evicted. A busy machine makes every script late (a stamp trails the server by the latency of the
/// reply that last fed the clock, and the script sits in the client before it leaves), and so does any link slower than
/// 10 ms: a put its caller waited for became a miss. Here every script of the store is held 20 ms before it is sent, so
/// every object script is late, deterministically; on one server a late put that nothing overtook is written anyway.
/// </summary>
[TestFixture(false, TestName = "Issue9SlowLinkPutTests(server)")]
[TestFixture(true, TestName = "Issue9SlowLinkPutTests(cluster)")]
public sealed class Issue9SlowLinkPutTests(bool cluster) : RedisFixture
{
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(RedisScripts.LatePutMilliseconds * 2);

    private protected override bool RunsOnCluster => cluster;

    [Test]
    public async Task PutAsync_EveryScriptLateWhileItsCallerWaits_IsWrittenAndReadByEveryKey()
    {
        var faulty = new FaultyRedis(_connection);
        await using var store = TestStores.Create(faulty);
        await store.GetAsync<Product, int>(TestStores.NextId()); // connected: its clear fence made, its clock fed
        faulty.Before = static (method, _) => method == nameof(IDatabase.ScriptEvaluateAsync) ? Task.Delay(Slow) : Task.CompletedTask;
        var product = TestStores.NewProduct("slow");

        await store.PutAsync(product);

        faulty.Before = null;
        var stored = (byte[]?)await _connection.GetDatabase().StringGetAsync(TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Product>(product.Id)));
        Assert.Multiple(async () =>
        {
            Assert.That(stored, Is.Not.Null, "in Redis when the put returns");
            Assert.That((await store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("slow"), "by id");
            Assert.That((await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)))?.Name, Is.EqualTo("slow"), "by SKU");
        });
    }

    /// <summary>
    /// The other side: the second put a waiting sender makes on a cluster is not evicted for lateness alone, so the
    /// sender reads its alternate keys' fences again after it; a delete by the SKU alone that landed in between evicts
    /// the object (without that second check the late value stood, read by id). On one server the put's script reads
    /// the SKU's fence itself.
    /// </summary>
    [Test]
    public async Task PutAsync_LateWriteOvertakenByADeleteByAlternateKeyAlone_LeavesAMiss()
    {
        var prefix = TestStores.UniquePrefix();
        var faulty = new FaultyRedis(_connection);
        await using var store = TestStores.Create(faulty, o => o.KeyPrefix = prefix);
        await using var other = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
        await store.GetAsync<Product, int>(TestStores.NextId());
        var product = TestStores.NewProduct("late");
        var primaryKey = TestStores.KeyOf(prefix, EntityKey.For<Product>(product.Id));

        // Every script of the put is late. The one that would write the object last is held until another instance has
        // deleted the object by its SKU alone (Redis holds nothing of it yet): on a cluster the object script sent once
        // the SKU's fence was read (the second put, by a sender still waiting); on one server the put's script.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fenceRead = !cluster;
        faulty.Before = (method, args) =>
        {
            if (method != nameof(IDatabase.ScriptEvaluateAsync) || args is not [_, RedisKey[] { Length: > 0 } keys, ..])
            {
                return Task.CompletedTask;
            }

            if (((string?)keys[0])!.EndsWith(RedisScripts.FenceSuffix, StringComparison.Ordinal))
            {
                Volatile.Write(ref fenceRead, true);
            }
            else if (keys[0] == primaryKey && Volatile.Read(ref fenceRead) && held.TrySetResult())
            {
                return HeldThenSlowAsync(release.Task);
            }

            return Task.Delay(Slow);
        };

        var put = store.PutAsync(product).AsTask();
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await other.DeleteAsync(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku));
        release.SetResult();
        await put;

        faulty.Before = null;
        Assert.Multiple(async () =>
        {
            Assert.That(await _connection.GetDatabase().KeyExistsAsync(primaryKey), Is.False, "the late retry never stands after a delete by the SKU");
            Assert.That(await other.GetAsync<Product, int>(product.Id), Is.Null, "by id");
            Assert.That(await other.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null, "by SKU");
        });
    }

    private static async Task HeldThenSlowAsync(Task release)
    {
        await release;
        await Task.Delay(Slow);
    }
}
