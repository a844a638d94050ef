using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Stockpile.Redis.Backplane;
using Stockpile.Redis.Internal;
using StackExchange.Redis;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Backplane;

/// <summary>Two app instances over one Redis, sharing one bottom tier that stands in for the database.</summary>
public sealed class RedisBackplaneTests
{
    // How long WaitUntilAsync waits for another instance to catch up unless told otherwise: a patience, not a claim on
    // speed. A message crosses in milliseconds on a quiet machine, but a 2-core machine with other builds and test runs
    // on it can hold a process off the CPU for seconds; a bound that a slow pass can exceed fails a correct product.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [TestCase(false, TestName = "PutOnA_EvictsB_AndAIgnoresItsOwnMessage(server)")]
    [TestCase(true, TestName = "PutOnA_EvictsB_AndAIgnoresItsOwnMessage(cluster, A and B on different nodes)")]
    public async Task PutOnA_EvictsB_AndAIgnoresItsOwnMessage(bool cluster)
    {
        var source = new FakeDatabase();
        await using var pair = await AppPair.StartAsync(cluster, b => b.AddTier(_ => source));
        var (a, b) = (pair.A, pair.B);
        var product = TestStores.NewProduct();
        await source.PutAsync(product);
        Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
        Assert.That(await b.Memory.GetAsync<Product, int>(product.Id), Is.Not.Null, "B holds it in memory");

        await a.Chain.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "changed" });
        var delay = await WaitUntilAsync(async () => (await b.Chain.GetAsync<Product, int>(product.Id))?.Name == "changed");
        await WaitUntilAsync(() => Task.FromResult(a.Count("BackplaneOwnMessageIgnored") > 0));
        await WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneEvicted") > 0)); // logged after the eviction it reports

        Assert.Multiple(async () =>
        {
            Assert.That((await a.Memory.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("changed"), "A's own message did not evict A");
            Assert.That(a.Count("BackplaneEvicted"), Is.Zero);
            Assert.That(b.Count("BackplaneEvicted"), Is.EqualTo(1));
        });
        TestContext.Progress.WriteLine($"backplane (memory source): B saw A's put after {delay.TotalMilliseconds:0.0} ms");
    }

    [TestCase(false, TestName = "DeleteAndClearOnA_ReachB(server)")]
    [TestCase(true, TestName = "DeleteAndClearOnA_ReachB(cluster, A and B on different nodes)")]
    public async Task DeleteAndClearOnA_ReachB(bool cluster)
    {
        var source = new FakeDatabase();
        await using var pair = await AppPair.StartAsync(cluster, b => b.AddTier(_ => source));
        var (a, b) = (pair.A, pair.B);
        var products = new[] { TestStores.NewProduct(), TestStores.NewProduct() };
        await source.PutManyAsync(products);
        await b.Chain.GetManyAsync<Product, int>(products.Select(p => p.Id));

        await a.Chain.DeleteAsync(products[0]);
        await WaitUntilAsync(async () => await b.Memory.GetAsync<Product, int>(products[0].Id) is null);
        await a.Chain.InvalidateAsync(typeof(Product));
        await WaitUntilAsync(async () => await b.Memory.GetAsync<Product, int>(products[1].Id) is null);

        // The receiver logs a clear after it has cleared: wait for the line, then check there was exactly one.
        await WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneCleared") > 0));
        Assert.That(b.Count("BackplaneCleared"), Is.EqualTo(1));
    }

    [TestCase(",protocol=resp2", RedisProtocol.Resp2, TestName = "SubscriptionRestored_ClearsTheLocalTiers(RESP2)")]
    [TestCase(",protocol=resp3", RedisProtocol.Resp3, TestName = "SubscriptionRestored_ClearsTheLocalTiers(RESP3)")]
    [TestCase("", RedisProtocol.Resp3, TestName = "SubscriptionRestored_ClearsTheLocalTiers(the package's default: RESP3 on Redis 6 and later)")]
    public async Task SubscriptionRestored_ClearsTheLocalTiers(string protocol, RedisProtocol expected)
    {
        await using var server = await RedisServer.StartAsync();
        var source = new FakeDatabase();
        var redis = server.ConnectionString + ",connectTimeout=1000" + protocol;
        await using (var probe = await ConnectionMultiplexer.ConnectAsync(redis))
        {
            // The configuration the instance gets speaks the protocol this case names.
            Assert.That(probe.GetServer(probe.GetEndPoints()[0]).Protocol, Is.EqualTo(expected));
        }

        await using var b = await AppInstance.StartAsync(redis, TestStores.UniquePrefix(), b => b.AddTier(_ => source));
        var product = TestStores.NewProduct();
        await source.PutAsync(product);
        await b.Chain.GetAsync<Product, int>(product.Id);
        Assert.That(b.Memory.Count, Is.EqualTo(1));

        // A first connect that timed out (a loaded machine, connectTimeout=1000) was a drop and clears once already: wait
        // for a clear after this restart, not for any.
        var clearsBefore = b.Count("BackplaneClearedAfterReconnect");
        await server.RestartAsync();
        await WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneClearedAfterReconnect") > clearsBefore), TimeSpan.FromSeconds(20));

        Assert.That(b.Memory.Count, Is.Zero);
    }

    [Test]
    public async Task StartedWhileRedisIsDown_ClearsTheLocalTiersWhenRedisComes()
    {
        await using var server = await RedisServer.StartAsync();
        await server.StopAsync();
        var source = new FakeDatabase();
        var redis = server.ConnectionString + ",connectTimeout=500";
        await using var b = await AppInstance.StartAsync(redis, TestStores.UniquePrefix(), b => b.AddTier(_ => source));
        var product = TestStores.NewProduct();
        await source.PutAsync(product);
        await b.Chain.GetAsync<Product, int>(product.Id);
        Assert.That(b.Memory.Count, Is.EqualTo(1), "read from the source while Redis is away");

        // Its pub/sub connection's first opening is not a restore, but the instance ran unsubscribed: it may have missed messages.
        await server.StartAgainAsync();
        await WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneClearedAfterReconnect") > 0), TimeSpan.FromSeconds(20));

        Assert.That(b.Memory.Count, Is.Zero);
    }

    [Test]
    public async Task PublishWhileRedisIsDown_DoesNotThrow_AndIsSentWhenBack()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var faulty = new FaultyRedis(connection);
        var channel = TestStores.UniquePrefix() + "__invalidate";
        var memory = new MemoryStore();
        var chain = new ChainedStore([memory]);
        await using var sender = CreateBackplane(faulty, channel, () => chain);
        await using var receiver = CreateBackplane(connection, channel, () => chain);
        await Task.WhenAll(sender.Subscribed, receiver.Subscribed);
        var products = new[] { TestStores.NewProduct(), TestStores.NewProduct() };
        await memory.PutManyAsync(products);

        faulty.Fault = FaultyRedis.Down;
        await sender.PublishEvictAsync([EntityKey.FromEntity(products[0])]);
        await Task.Delay(100);
        Assert.That(await memory.GetAsync<Product, int>(products[0].Id), Is.Not.Null, "nothing was sent");
        faulty.Fault = null;
        await sender.PublishEvictAsync([EntityKey.FromEntity(products[1])]);

        await WaitUntilAsync(async () => await memory.GetAsync<Product, int>(products[0].Id) is null && await memory.GetAsync<Product, int>(products[1].Id) is null);
    }

    [Test]
    public async Task UnreadableMessage_IsIgnored()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var channel = TestStores.UniquePrefix() + "__invalidate";
        var memory = new MemoryStore();
        var product = TestStores.NewProduct();
        await memory.PutAsync(product);
        await using var receiver = CreateBackplane(connection, channel, () => new ChainedStore([memory]));
        await receiver.Subscribed;

        await connection.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), "not json"u8.ToArray());
        await connection.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), """{"origin":"00000000-0000-0000-0000-000000000001","evict":[{"t":"No.Such.Type","k":"Id","v":[1]}]}"""u8.ToArray());
        await Task.Delay(200);

        Assert.That(await memory.GetAsync<Product, int>(product.Id), Is.Not.Null);
    }

    internal static async Task<TimeSpan> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? bound = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > (bound ?? Bound))
            {
                Assert.Fail($"not reached within {(bound ?? Bound).TotalSeconds} s");
            }

            await Task.Delay(1);
        }

        return stopwatch.Elapsed;
    }

    private static RedisBackplane CreateBackplane(ConnectionMultiplexer connection, string channel, Func<ChainedStore> chain) => CreateBackplane(connection, null, channel, chain);

    private static RedisBackplane CreateBackplane(FaultyRedis faulty, string channel, Func<ChainedStore> chain) => CreateBackplane(null, faulty, channel, chain);

    private static RedisBackplane CreateBackplane(ConnectionMultiplexer? connection, FaultyRedis? faulty, string channel, Func<ChainedStore> chain)
    {
        var link = new RedisLink(Task.FromResult<IConnectionMultiplexer>(faulty?.Multiplexer ?? connection!), ownsMultiplexer: false, "test", new RedisCircuitBreakerOptions(), TimeProvider.System, NullLogger.Instance, RedisMetrics.Shared, faulty is null ? null : faulty.Database, faulty is null ? null : faulty.Subscriber);
        return new RedisBackplane(link, channel, 100, chain, NullLogger.Instance, RedisMetrics.Shared);
    }
}
