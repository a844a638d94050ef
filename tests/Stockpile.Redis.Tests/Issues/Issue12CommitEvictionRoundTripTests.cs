using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, items 4 and 8 (a commit reaching another instance at least as fast as FusionCache's backplane; a save of
/// 100 rows within 1.25x of the plain save): a chain's invalidation (what the SaveChanges interceptor calls after a
/// commit) waited for two Redis round trips one after the other, the delete script and then the backplane's
/// <c>PUBLISH</c>. On one server the delete script now publishes the message itself once its deletes are done, so the
/// commit waits for one round trip, and the message still leaves only after Redis stopped serving the old state. The
/// commands are counted as the client sends them (StackExchange.Redis's profiler).
/// </summary>
[NonParallelizable]
public sealed class Issue12CommitEvictionRoundTripTests
{
    [Test]
    public async Task InvalidateAsync_RedisBackplaneOnOneServer_OneRoundTripCarriesDeleteAndMessage()
    {
        var source = new FakeDatabase();
        await using var pair = await AppPair.StartAsync(RedisTestEnvironment.ConnectionString, b => b.AddTier(_ => source));
        var (a, b) = (pair.A, pair.B);
        var product = TestStores.NewProduct("v1");
        await source.PutAsync(product);
        Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v1"), "B holds v1 in memory and Redis");

        var (sent, evicted) = await CommitRecordedAsync(pair, source, product);

        Assert.That(sent, Is.EqualTo(new[] { "EVALSHA" }), $"one script deletes and publishes: {string.Join(", ", sent)}");
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneEvicted") > evicted));
        // A hears its own message on its own subscription, in its own time: wait for that line too.
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(a.Count("BackplaneOwnMessageIgnored") > 0));
        Assert.Multiple(async () =>
        {
            Assert.That(await b.Memory.GetAsync<Product, int>(product.Id), Is.Null, "B evicted its memory copy");
            Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v2"), "B reads the committed state");
            Assert.That(a.Count("BackplaneOwnMessageIgnored"), Is.GreaterThan(0), "the script's message is A's own: A ignores it");
        });
    }

    [Test]
    public async Task InvalidateAsync_MessageReceived_RedisNoLongerServesTheOldState_BNeverRecachesIt()
    {
        const int Rounds = 20;
        var source = new FakeDatabase();
        await using var pair = await AppPair.StartAsync(RedisTestEnvironment.ConnectionString, b => b.AddTier(_ => source));
        var (a, b) = (pair.A, pair.B);
        var product = TestStores.NewProduct("v0");
        await source.PutAsync(product);

        // An observer of the channel reads Redis the moment each message arrives: the delete must be done by then.
        await using var observer = await RedisTestEnvironment.ConnectAsync();
        var seenInRedis = new ConcurrentQueue<string?>();
        var queue = await observer.GetSubscriber().SubscribeAsync(RedisChannel.Literal(a.Backplane.ChannelName));
        queue.OnMessage(async _ => seenInRedis.Enqueue((await b.Redis.GetAsync<Product, int>(product.Id))?.Name ?? null));

        for (var round = 1; round <= Rounds; round++)
        {
            var old = $"v{round - 1}";
            Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(old), $"round {round}: B holds the state before the commit");
            Assert.That(await b.Chain.SettleAsync(CancellationToken.None), Is.True, "the Redis back-fill follows the answer");
            Assert.That((await a.Redis.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(old), $"round {round}: so does Redis");

            // The commit, then the chain's invalidation (as the SaveChanges interceptor runs it).
            await source.PutAsync(Renamed(product, $"v{round}"));
            var evicted = b.Count("BackplaneEvicted");
            await a.Chain.InvalidateAsync(KeysOf(product));
            await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneEvicted") > evicted && seenInRedis.Count >= round));

            Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo($"v{round}"), $"round {round}: B's first read after the message is the committed state");
        }

        await queue.UnsubscribeAsync();
        Assert.That(seenInRedis, Has.All.Null, $"Redis still served a state when its message arrived: {string.Join(", ", seenInRedis)}");
        Assert.That(seenInRedis, Has.Count.EqualTo(Rounds));
    }

    [Test]
    public async Task InvalidateAsync_OnACluster_PublishesOnceAfterTheDeletes()
    {
        var source = new FakeDatabase();
        await using var pair = await AppPair.StartAsync(cluster: true, b => b.AddTier(_ => source));
        var (a, b) = (pair.A, pair.B);
        var product = TestStores.NewProduct("v1");
        await source.PutAsync(product);
        Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v1"));
        var (sent, evicted) = await CommitRecordedAsync(pair, source, product);

        // The deletes go slot by slot to several nodes: the message cannot ride on one of them, and follows them all.
        Assert.That(sent.Count(c => c == "PUBLISH"), Is.EqualTo(1), string.Join(", ", sent));
        Assert.That(sent[^1], Is.EqualTo("PUBLISH"), string.Join(", ", sent));
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneEvicted") > evicted));
        Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v2"));
    }

    [Test]
    public async Task InvalidateAsync_ConnectionWithAChannelPrefix_PublishesSeparately_BStillHearsIt()
    {
        // The script would name the channel without the prefix StackExchange.Redis puts on the subscription.
        var source = new FakeDatabase();
        await using var pair = await AppPair.StartAsync(RedisTestEnvironment.ConnectionString + ",channelPrefix=save6:", b => b.AddTier(_ => source));
        var (a, b) = (pair.A, pair.B);
        var product = TestStores.NewProduct("v1");
        await source.PutAsync(product);
        Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v1"));

        var (sent, evicted) = await CommitRecordedAsync(pair, source, product);

        Assert.That(sent, Is.EqualTo(new[] { "EVALSHA", "PUBLISH" }), string.Join(", ", sent));
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneEvicted") > evicted));
        Assert.That((await b.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v2"));
    }

    [Test]
    public async Task InvalidateAsync_ServerRefusesTheChannel_DeletesStand_NoException()
    {
        // An ACL user with the keys and no channel: the script's publish is refused after its deletes.
        await using var server = await RedisServer.StartAsync(new RedisServerOptions { Password = "admin-0c4f", AclUser = "app", AclPassword = "app-9e1b", AclRules = ["~app:*", "resetchannels", "+@all"] });
        var source = new FakeDatabase();
        var product = TestStores.NewProduct("v1");
        await source.PutAsync(product);
        await using var a = await AppInstance.StartAsync(
            $"{RedisServer.Host}:{server.Port},user=app,password=app-9e1b",
            $"app:{Guid.NewGuid():N}:",
            b => b.AddTier(_ => source));
        Assert.That((await a.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v1"));
        Assert.That(await a.Chain.SettleAsync(CancellationToken.None), Is.True, "the Redis back-fill follows the answer");
        Assert.That(await a.Redis.GetAsync<Product, int>(product.Id), Is.Not.Null, "Redis holds v1");

        await source.PutAsync(Renamed(product, "v2"));
        await a.Chain.InvalidateAsync(KeysOf(product));

        Assert.Multiple(async () =>
        {
            Assert.That(await a.Redis.GetAsync<Product, int>(product.Id), Is.Null, "the deletes stood");
            Assert.That(await a.Redis.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);
            Assert.That(a.Count("BackplanePublishFailed"), Is.GreaterThan(0), "the message was then published as usual, and refused (logged)");
            Assert.That((await a.Chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v2"));
        });
    }

    /// <summary>
    /// Warms A up (its clear fence and the script are on the server, so what is counted is the steady state, and B has
    /// applied that first message), commits v2 to the source, then records the commands A sends for the invalidation.
    /// </summary>
    /// <returns>The commands, and B's count of evictions before the invalidation.</returns>
    private static async Task<(string[] Sent, int Evicted)> CommitRecordedAsync(AppPair pair, FakeDatabase source, Product product)
    {
        var (a, b) = (pair.A, pair.B);
        var warmed = b.Count("BackplaneEvicted");
        await a.Chain.InvalidateAsync([EntityKey.For<Product>(TestStores.NextId())]);
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneEvicted") > warmed));
        var recorder = new CommandRecorder(await a.Services.GetRequiredService<RedisLink>().GetMultiplexerAsync(default));
        await source.PutAsync(Renamed(product, "v2"));
        var evicted = b.Count("BackplaneEvicted");

        recorder.Start();
        await a.Chain.InvalidateAsync(KeysOf(product));
        return (recorder.Stop(), evicted);
    }

    private static EntityKey[] KeysOf(Product product) => [EntityKey.FromEntity(product), EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)];

    private static Product Renamed(Product product, string name) => new() { Id = product.Id, Sku = product.Sku, Name = name, Price = product.Price };
}
