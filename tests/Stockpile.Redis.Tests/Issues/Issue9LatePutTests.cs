using System.Text;
using StackExchange.Redis.Configuration;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Cluster;
using Stockpile.Redis.Tests.Torture;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9 (fail-safe, consistency): a put's script written to a socket that StackExchange.Redis then abandons (a
/// timeout, a reconnect) can still reach the server later: the bytes were on their way. By then its caller has given
/// up (the write was skipped and its keys cleaned up), and a newer put or a delete has landed. The late put must never
/// overwrite that: it carries the (server) time it was sent, and a put that finds a key of its object fenced after
/// that, or the store cleared since, evicts the object instead of writing it (a miss is always safe). Instance A
/// reaches Redis through a proxy that holds A's bytes, drops A's end of the connection and delivers the bytes later.
/// </summary>
[NonParallelizable]
public sealed class Issue9LatePutTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [TestCase(false, false, TestName = "LatePut_AfterTheSameInstanceReconnectedAndPutAgain_IsNotWritten(server, one)")]
    [TestCase(false, true, TestName = "LatePut_AfterTheSameInstanceReconnectedAndPutAgain_IsNotWritten(server, batch)")]
    [TestCase(true, false, TestName = "LatePut_AfterTheSameInstanceReconnectedAndPutAgain_IsNotWritten(cluster, one)")]
    public async Task LatePut_AfterTheSameInstanceReconnectedAndPutAgain_IsNotWritten(bool cluster, bool batch)
    {
        await using var redis = await CuttableRedis.StartAsync(cluster);
        var prefix = TestStores.UniquePrefix();
        await using var a = await ConnectAsync(redis.ForA, prefix, redis.Tunnel);
        await using var b = await ConnectAsync(redis.ForB, prefix, null);
        var product = TestStores.NewProduct("v0");
        await a.PutAsync(product);

        var late = await HoldPutAsync(redis, cluster, a, product, batch);
        redis.Sever();
        await TortureWaits.UntilAsync(() => Task.FromResult(a.MissedKeyCount == 0), Bound, "A reconnected and removed the key of its skipped put");
        await PutAsync(a, Named(product, "v2"), batch);
        Assert.That((await b.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v2"));

        await redis.ReleaseAsync();

        await AssertNotWrittenAsync(b, late);
    }

    [TestCase(false, false, TestName = "LatePut_AfterAnotherInstancePut_IsNotWritten(server, one)")]
    [TestCase(false, true, TestName = "LatePut_AfterAnotherInstancePut_IsNotWritten(server, batch)")]
    [TestCase(true, false, TestName = "LatePut_AfterAnotherInstancePut_IsNotWritten(cluster, one)")]
    public Task LatePut_AfterAnotherInstancePut_IsNotWritten(bool cluster, bool batch) =>
        OvertakenByAnotherInstanceAsync(cluster, batch, objectInRedis: true, async (b, product) =>
        {
            await b.PutAsync(Named(product, "v2"));
            Assert.That((await b.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v2"));
        });

    [TestCase(false, TestName = "LatePut_AfterAnotherInstanceDeleted_DoesNotResurrect(server)")]
    [TestCase(true, TestName = "LatePut_AfterAnotherInstanceDeleted_DoesNotResurrect(cluster)")]
    public Task LatePut_AfterAnotherInstanceDeleted_DoesNotResurrect(bool cluster) =>
        OvertakenByAnotherInstanceAsync(cluster, batch: false, objectInRedis: true, async (b, product) =>
            Assert.That(await b.DeleteAsync(product), Is.True));

    /// <summary>
    /// The invalidation knew only the alternate key, and Redis held nothing of the object: the delete fences that key
    /// alone. One server checks the fences of every key of the put's object. On a cluster the object's script cannot
    /// read the alternate key's fence (another slot), and the delete cannot name the object's slot: so a late object
    /// script of an object with alternate keys writes nothing there (lane gaps8); a caller still waiting checks the
    /// alternate keys' fences and puts again (docs/redis.md, "Late puts: the write stamp").
    /// </summary>
    [TestCase(false, TestName = "LatePut_AfterADeleteByAnAlternateKeyOnly_IsNotWritten(server)")]
    [TestCase(true, TestName = "LatePut_AfterADeleteByAnAlternateKeyOnly_IsNotWritten(cluster)")]
    public Task LatePut_AfterADeleteByAnAlternateKeyOnly_IsNotWritten(bool cluster) =>
        OvertakenByAnotherInstanceAsync(cluster, batch: false, objectInRedis: false, async (b, product) =>
            Assert.That(await b.DeleteAsync(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.False));

    /// <summary>
    /// The other side of the cluster's rule above: a put whose object script reaches its node late while its caller
    /// still waits (a busy link, not a lost socket) must not turn into a miss. A's bytes are held past the 10 ms the
    /// stamp allows, then sent on over the same connection; the put completes, and both keys read the new value.
    /// </summary>
    [TestCase(false, TestName = "SlowPut_ArrivesLateWhileItsCallerWaits_IsWritten(server)")]
    [TestCase(true, TestName = "SlowPut_ArrivesLateWhileItsCallerWaits_IsWritten(cluster)")]
    public async Task SlowPut_ArrivesLateWhileItsCallerWaits_IsWritten(bool cluster)
    {
        await using var redis = await CuttableRedis.StartAsync(cluster);
        var prefix = TestStores.UniquePrefix();
        await using var a = await ConnectAsync(redis.ForA, prefix, redis.Tunnel, TimeSpan.FromSeconds(20));
        await using var b = await ConnectAsync(redis.ForB, prefix, null);
        var product = TestStores.NewProduct("v0");
        await a.PutAsync(product);
        var slow = Named(product, $"slow-{product.Id}");

        redis.Hold();
        var put = a.PutAsync(slow).AsTask();
        await TortureWaits.UntilAsync(() => Task.FromResult(redis.Holds(Encoding.UTF8.GetBytes(slow.Name))), Bound, "the put's bytes are held on their way to Redis");
        // Not a timing assertion: the held bytes reach Redis at least this long after their stamp, so they arrive late.
        await Task.Delay(50);
        redis.Resume();
        await put.WaitAsync(Bound);

        Assert.Multiple(async () =>
        {
            Assert.That((await b.GetAsync<Product, int>(slow.Id))?.Name, Is.EqualTo(slow.Name), "by id");
            Assert.That((await b.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), slow.Sku)))?.Name, Is.EqualTo(slow.Name), "by SKU");
        });
    }

    /// <summary>
    /// A clear fences the whole prefix, not each key: a late put finds the clear newer than its stamp. On a cluster the
    /// clear fence lives in another slot than the object, so a clear fences every slot too, and the late object script
    /// reads its own slot's (whether Redis held the object or not: the clear's scan cannot fence what is not there).
    /// </summary>
    [TestCase(false, true, TestName = "LatePut_AfterAnotherInstanceCleared_IsNotWritten(server, object in Redis)")]
    [TestCase(true, true, TestName = "LatePut_AfterAnotherInstanceCleared_IsNotWritten(cluster, object in Redis)")]
    [TestCase(true, false, TestName = "LatePut_AfterAnotherInstanceCleared_IsNotWritten(cluster, nothing in Redis)")]
    public Task LatePut_AfterAnotherInstanceCleared_IsNotWritten(bool cluster, bool objectInRedis) =>
        OvertakenByAnotherInstanceAsync(cluster, batch: false, objectInRedis, async (b, _) =>
            await b.ClearAsync(typeof(Product)));

    /// <summary>
    /// A's put of the late value is held, A loses its connection and stops (nothing of A's, such as the clean-up of
    /// its skipped write, removes the late put), B overtakes it with <paramref name="overtake"/>, then the held bytes
    /// land: nothing may read the late value.
    /// </summary>
    private static async Task OvertakenByAnotherInstanceAsync(bool cluster, bool batch, bool objectInRedis, Func<RedisStore, Product, Task> overtake)
    {
        await using var redis = await CuttableRedis.StartAsync(cluster);
        var prefix = TestStores.UniquePrefix();
        var a = await ConnectAsync(redis.ForA, prefix, redis.Tunnel);
        await using var b = await ConnectAsync(redis.ForB, prefix, null);
        var product = TestStores.NewProduct("v0");

        await a.PutAsync(objectInRedis ? product : TestStores.NewProduct());
        Assert.That(await b.GetAsync<Product, int>(product.Id), objectInRedis ? Is.Not.Null : Is.Null);

        var late = await HoldPutAsync(redis, cluster, a, product, batch);
        await LoseAsync(redis, a);
        await overtake(b, product);

        await redis.ReleaseAsync();

        await AssertNotWrittenAsync(b, late);
    }

    /// <summary>
    /// A put through A whose bytes the proxy holds: A's caller gives up (a timeout: the write is skipped). The server
    /// knows the put script first, so the late <c>EVALSHA</c> runs (a <c>NOSCRIPT</c> reply would make the test pass
    /// for nothing): on one server A's earlier put loaded it; a cluster's object script is loaded on every node, since
    /// the object may live on a node no earlier script call reached.
    /// </summary>
    private static async Task<Product> HoldPutAsync(CuttableRedis redis, bool cluster, RedisStore a, Product product, bool batch)
    {
        if (cluster)
        {
            var (_, multiplexer) = await RedisClusterEnvironment.GetAsync();
            foreach (var node in multiplexer.GetServers().Where(static s => !s.IsReplica))
            {
                await node.ScriptLoadAsync(RedisClusterScripts.PutObject.Text);
            }
        }

        var late = Named(product, $"late-{product.Id}");
        redis.Hold();
        await PutAsync(a, late, batch);
        Assert.That(redis.Holds(Encoding.UTF8.GetBytes(late.Name)), Is.True, "the put's bytes are held on their way to Redis");
        Assert.That(a.MissedKeyCount, Is.Positive, "A gave up on the put and recorded its key");
        return late;
    }

    /// <summary>A's end of the connection drops and A cannot reconnect, then A stops: nothing of A's removes the late put.</summary>
    private static async Task LoseAsync(CuttableRedis redis, RedisStore a)
    {
        redis.Sever();
        redis.Cut();
        await a.DisposeAsync();
    }

    private static async Task AssertNotWrittenAsync(RedisStore b, Product late)
    {
        var byId = await b.GetAsync<Product, int>(late.Id);
        var bySku = await b.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), late.Sku));
        Assert.Multiple(() =>
        {
            Assert.That(byId?.Name, Is.Not.EqualTo(late.Name), "by id: the late put overwrote a newer write");
            Assert.That(bySku?.Name, Is.Not.EqualTo(late.Name), "by SKU: the late put overwrote a newer write");
            Assert.That(byId, Is.Null, "the late put evicts the object (it cannot tell which write is newer)");
        });
    }

    private static ValueTask PutAsync(RedisStore store, Product product, bool batch) =>
        batch ? store.PutManyAsync([product]) : store.PutAsync(product);

    private static Product Named(Product product, string name) => new() { Id = product.Id, Sku = product.Sku, Name = name, Price = product.Price };

    private static async Task<RedisStore> ConnectAsync(string configuration, string prefix, Tunnel? tunnel, TimeSpan? timeout = null)
    {
        var options = new RedisStoreOptions { Configuration = configuration, KeyPrefix = prefix };
        TestStores.FailFast(options);
        options.ConfigurationOptions!.Tunnel = tunnel;
        if (timeout is { } patient)
        {
            options.ConfigurationOptions.AsyncTimeout = options.ConfigurationOptions.SyncTimeout = (int)patient.TotalMilliseconds;
        }

        return await RedisStore.ConnectAsync(options);
    }
}
