using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 10, tags on entities, against real servers: removing a tag removes the entities carrying it from Redis (alone,
/// under memory, on a cluster), from every instance's memory through the backplane, and never from the database.
/// </summary>
[NonParallelizable]
public sealed class Issue10EntityTagTests
{
    private readonly List<IAsyncDisposable> _owned = [];

    [TearDown]
    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        _owned.Clear();
    }

    [TestCase(false, TestName = "RemoveByTagAsync_RedisAlone_RemovesTheTaggedEntities_NotTheDatabase(server)")]
    [TestCase(true, TestName = "RemoveByTagAsync_RedisAlone_RemovesTheTaggedEntities_NotTheDatabase(cluster)")]
    public async Task RemoveByTagAsync_RedisAlone_RemovesTheTaggedEntities_NotTheDatabase(bool cluster)
    {
        var connection = await ConnectAsync(cluster);
        var redis = Own(TestStores.Create(connection, o => o.DefaultLifetime = Timeout.InfiniteTimeSpan));
        var database = new FakeDatabase();
        var chain = new ChainedStore([redis, database]);
        var tenant = TestStores.NextId();
        var mine = Enumerable.Range(0, 40).Select(_ => Order(tenant)).ToArray();
        var other = Order(tenant + 1);
        var product = TestStores.NewProduct();
        await chain.PutManyAsync(mine);
        await chain.PutAsync(other);
        await chain.PutAsync(product);
        var setKey = RedisKeyPatterns.TagSetKey(redis.KeyPrefixForTests, $"tenant:{tenant}");
        Assert.That(await connection.GetDatabase().SetLengthAsync(setKey), Is.EqualTo(mine.Length), "the index names each tagged entity once");
        Assert.That(await connection.GetDatabase().KeyTimeToLiveAsync(setKey), Is.Null, "entities without expiry keep their tag's set");

        await chain.RemoveByTagAsync($"tenant:{tenant}");

        foreach (var order in mine)
        {
            Assert.That(await redis.GetAsync<TenantOrder, int>(order.Id), Is.Null, "stored without expiry, removed all the same");
            Assert.That(await redis.GetAsync<TenantOrder>(EntityKey.Of<TenantOrder>(nameof(TenantOrder.Number), order.Number)), Is.Null, "no pointer serves it");
            Assert.That((await database.GetAsync<TenantOrder, int>(order.Id))?.Note, Is.EqualTo("v1"), "the database keeps it");
        }

        Assert.That(await redis.GetAsync<TenantOrder, int>(other.Id), Is.Not.Null, "another tenant stays");
        Assert.That(await redis.GetAsync<Product, int>(product.Id), Is.Not.Null, "a type without tags stays");
        Assert.That(await connection.GetDatabase().KeyExistsAsync(setKey), Is.False, "the removal took the set");

        Assert.That((await chain.GetAsync<TenantOrder, int>(mine[0].Id))?.Note, Is.EqualTo("v1"), "the next read falls through to the database");
        Assert.That(await chain.SettleAsync(default), Is.True, "the Redis back-fill follows the answer");
        Assert.That(await redis.GetAsync<TenantOrder, int>(mine[0].Id), Is.Not.Null, "and back-fills Redis");
        Assert.That(await connection.GetDatabase().SetLengthAsync(setKey), Is.EqualTo(1), "filed under its tag again");
    }

    [Test]
    public async Task PutAndGet_TypeWithoutTags_SendNothingMore_ATaggedPutOneTagScript_ReadsNothingMore()
    {
        var connection = await ConnectAsync(cluster: false);

        // The store's own scripts: the other layout's eviction (a delete script pipelined with a put) is Issue9ShortKeyTests' subject.
        var redis = Own(TestStores.Create(connection, o => o.EvictOtherKeyLayout = false));
        var commands = new CommandRecorder(connection);
        var product = TestStores.NewProduct();
        var order = Order(TestStores.NextId());
        await redis.PutAsync(TestStores.NewProduct());
        await redis.PutAsync(Order(TestStores.NextId()));

        commands.Start();
        await redis.PutAsync(product);
        var untaggedPut = commands.Stop();
        commands.Start();
        await redis.PutAsync(order);
        var taggedPut = commands.Stop();
        commands.Start();
        await redis.GetAsync<Product, int>(product.Id);
        await redis.GetAsync<TenantOrder, int>(order.Id);
        var reads = commands.Stop();

        Assert.That(untaggedPut, Is.EqualTo(new[] { "EVALSHA" }), "a type without tags: the put's script alone");
        Assert.That(taggedPut, Is.EqualTo(new[] { "EVALSHA", "EVALSHA" }), "a tagged type: the put's script, then one tag-set script for its one tag");
        Assert.That(reads, Is.EqualTo(new[] { "GET", "GET" }), "a read never looks at tags");
    }

    [TestCase(false, TestName = "RemoveByTagAsync_MoreEntitiesThanOneBatch_RemovesThemAll(server)")]
    [TestCase(true, TestName = "RemoveByTagAsync_MoreEntitiesThanOneBatch_RemovesThemAll(cluster)")]
    public async Task RemoveByTagAsync_MoreEntitiesThanOneBatch_RemovesThemAll(bool cluster)
    {
        var connection = await ConnectAsync(cluster);
        var redis = Own(TestStores.Create(connection));
        var tenant = TestStores.NextId();
        var orders = Enumerable.Range(0, 10_001).Select(_ => Order(tenant)).ToArray();
        await redis.PutManyAsync(orders);
        Assert.That(await connection.GetDatabase().SetLengthAsync(RedisKeyPatterns.TagSetKey(redis.KeyPrefixForTests, $"tenant:{tenant}")), Is.EqualTo(orders.Length), "one batch put files them all, in calls small enough for a script");

        await redis.RemoveByTagAsync($"tenant:{tenant}");

        var left = await redis.GetManyAsync<TenantOrder, int>(orders.Select(o => o.Id));
        Assert.That(left.Count(o => o is not null), Is.Zero, "twenty-one batches of pops and deletes");
        Assert.That(await connection.GetDatabase().KeyExistsAsync(RedisKeyPatterns.TagSetKey(redis.KeyPrefixForTests, $"tenant:{tenant}")), Is.False);
    }

    [Test]
    public async Task PutAsync_TaggedEntitiesWithLifetimes_TheTagSetLivesAsLongAsTheLongestLived()
    {
        var connection = await ConnectAsync(cluster: false);
        var redis = Own(TestStores.Create(connection, o => o.LifetimeSelector = e => e is TenantOrder { Note: "long" } ? ObjectLifetime.For(TimeSpan.FromMinutes(10)) : ObjectLifetime.For(TimeSpan.FromMinutes(1))));
        var tenant = TestStores.NextId();
        await redis.PutAsync(Order(tenant, note: "long"));
        await redis.PutAsync(Order(tenant, note: "short"));
        var ttl = await connection.GetDatabase().KeyTimeToLiveAsync(RedisKeyPatterns.TagSetKey(redis.KeyPrefixForTests, $"tenant:{tenant}"));

        Assert.That(ttl, Is.GreaterThan(TimeSpan.FromMinutes(9)).And.LessThanOrEqualTo(TimeSpan.FromMinutes(10)), "a shorter-lived member does not shorten the set");
    }

    [Test]
    public async Task RemoveByTagAsync_TenantMoved_TheNewTagRemovesIt()
    {
        var connection = await ConnectAsync(cluster: false);
        var redis = Own(TestStores.Create(connection));
        var order = Order(TestStores.NextId());
        await redis.PutAsync(order);
        var moved = Order(order.TenantId + 1, id: order.Id);
        await redis.PutAsync(moved);

        await redis.RemoveByTagAsync($"tenant:{moved.TenantId}");

        Assert.That(await redis.GetAsync<TenantOrder, int>(order.Id), Is.Null, "filed under the tenant it has now");
    }

    [TestCase(false, TestName = "RemoveByTagAsync_OnInstanceA_EvictsEveryTierOfBothInstances(server)")]
    [TestCase(true, TestName = "RemoveByTagAsync_OnInstanceA_EvictsEveryTierOfBothInstances(cluster, A and B on different nodes)")]
    public async Task RemoveByTagAsync_OnInstanceA_EvictsEveryTierOfBothInstances(bool cluster)
    {
        var database = new FakeDatabase();
        var pair = Own(await AppPair.StartAsync(cluster, b => b.AddTier(_ => database)));
        var (a, b) = (pair.A, pair.B);
        var tenant = TestStores.NextId();
        var orders = new[] { Order(tenant), Order(tenant) };
        var other = Order(tenant + 1);
        await database.PutManyAsync([.. orders, other]);
        await b.Chain.GetManyAsync<TenantOrder, int>([orders[0].Id, orders[1].Id, other.Id]);
        await a.Chain.GetManyAsync<TenantOrder, int>([orders[0].Id, orders[1].Id]);
        Assert.That(await b.Chain.SettleAsync(default) && await a.Chain.SettleAsync(default), Is.True, "their Redis back-fills follow the answers");
        Assert.That(await b.Memory.GetAsync<TenantOrder, int>(orders[0].Id), Is.Not.Null, "B holds them in memory");
        Assert.That(await a.Memory.GetAsync<TenantOrder, int>(orders[0].Id), Is.Not.Null, "and so does A");

        await a.Chain.RemoveByTagAsync($"tenant:{tenant}");

        Assert.That(await a.Memory.GetAsync<TenantOrder, int>(orders[0].Id), Is.Null, "A's memory, at once");
        Assert.That(await a.Redis.GetAsync<TenantOrder, int>(orders[1].Id), Is.Null, "Redis, at once");
        await RedisBackplaneTests.WaitUntilAsync(async () => await b.Memory.GetAsync<TenantOrder, int>(orders[0].Id) is null && await b.Memory.GetAsync<TenantOrder, int>(orders[1].Id) is null);
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneRemovedTag") > 0));
        Assert.That(await b.Memory.GetAsync<TenantOrder, int>(other.Id), Is.Not.Null, "B keeps another tenant's order");
        Assert.That(a.Count("BackplaneRemovedTag"), Is.Zero, "A ignored its own message");
        Assert.That((await database.GetAsync<TenantOrder, int>(orders[0].Id))?.Note, Is.EqualTo("v1"), "the database keeps them");
        Assert.That((await b.Chain.GetAsync<TenantOrder, int>(orders[0].Id))?.Note, Is.EqualTo("v1"), "B's next read comes from the database");
    }

    [Test]
    public async Task CacheRemoveByTagAsync_EfCoreBottom_RemovesItemsAndEntities_NextReadQueriesTheDatabase_WhichHoldsTheEntityUnchanged()
    {
        var sqlite = Own(await SqliteFileDatabase.CreateAsync());
        var commands = new CommandCounter();
        var pair = Own(await AppPair.StartAsync(RedisTestEnvironment.ConnectionString, b => EfCoreApps.AddDatabaseTier(b.AddRedisCache()), services => services.AddDbContextFactory<RowDbContext>((sp, o) =>
        {
            sqlite.Configure(o);
            o.AddStockpileInterceptor(sp);
            o.AddInterceptors(commands);
        })));
        var app = pair.A;
        var order = Order(TestStores.NextId());
        await using (var context = sqlite.CreateContext())
        {
            context.TenantOrders.Add(order);
            await context.SaveChangesAsync();
        }

        Assert.That((await app.Chain.GetAsync<TenantOrder, int>(order.Id))?.Note, Is.EqualTo("v1"));
        var queried = commands.Count;
        Assert.That((await app.Chain.GetAsync<TenantOrder, int>(order.Id))?.Note, Is.EqualTo("v1"));
        Assert.That(commands.Count, Is.EqualTo(queried), "a hit in memory: no query");

        var cache = app.Services.GetRequiredService<IStockpileCache>();
        await cache.SetAsync("tenant-report", "42 orders", new StockpileCacheEntryOptions { Tags = [$"tenant:{order.TenantId}"] });

        await cache.RemoveByTagAsync($"tenant:{order.TenantId}");

        Assert.That(await cache.GetAsync<string>("tenant-report"), Is.Null, "the cache item went");
        Assert.That(await app.Memory.GetAsync<TenantOrder, int>(order.Id), Is.Null);
        Assert.That(await app.Redis.GetAsync<TenantOrder, int>(order.Id), Is.Null);
        Assert.That((await app.Chain.GetAsync<TenantOrder, int>(order.Id))?.Note, Is.EqualTo("v1"));
        Assert.That(commands.Count, Is.EqualTo(queried + 1), "the read after the removal queried the database once");
        await using (var context = sqlite.CreateContext())
        {
            var row = await context.TenantOrders.AsNoTracking().SingleAsync(o => o.Id == order.Id);
            Assert.That((row.Number, row.TenantId, row.Note), Is.EqualTo((order.Number, order.TenantId, "v1")), "the database row is unchanged");
        }
    }

    [Test]
    public async Task RemoveByTagAsync_TenantMovedBySaveChanges_TheEntityIsTaggedByItsCurrentTenant()
    {
        var sqlite = Own(await SqliteFileDatabase.CreateAsync());
        var pair = Own(await EfCoreApps.StartPairAsync(RedisTestEnvironment.ConnectionString, sqlite));
        var app = pair.A;
        var order = Order(TestStores.NextId());
        await using (var context = sqlite.CreateContext())
        {
            context.TenantOrders.Add(order);
            await context.SaveChangesAsync();
        }

        await app.Chain.GetAsync<TenantOrder, int>(order.Id);
        var moved = order.TenantId + 1;
        await using (var context = await app.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync())
        {
            var tracked = await context.TenantOrders.SingleAsync(o => o.Id == order.Id);
            tracked.TenantId = moved;
            await context.SaveChangesAsync();
        }

        // Until Redis's eviction behind the save ends (EvictSharedTiersInBackground, the default), reads of the type go to
        // the database and fill no tier: let it end, so the next read caches the row again.
        Assert.That(await app.Chain.SettleAsync(default), Is.True);
        Assert.That((await app.Chain.GetAsync<TenantOrder, int>(order.Id))?.TenantId, Is.EqualTo(moved), "the interceptor's write-through still works");
        Assert.That(app.Memory.CountTagged($"tenant:{order.TenantId}"), Is.Zero, "memory no longer files it under the old tenant");

        await app.Chain.RemoveByTagAsync($"tenant:{order.TenantId}");
        Assert.That(await app.Memory.GetAsync<TenantOrder, int>(order.Id), Is.Not.Null, "the old tenant's tag does not reach it in memory");

        await app.Chain.RemoveByTagAsync($"tenant:{moved}");
        Assert.That(await app.Memory.GetAsync<TenantOrder, int>(order.Id), Is.Null, "the current tenant's tag does");
        Assert.That(await app.Redis.GetAsync<TenantOrder, int>(order.Id), Is.Null);
    }

    [Test]
    public async Task RemoveByTagAsync_RedisDown_EverythingUnderThePrefixIsRemovedWhenItIsBack()
    {
        var connection = await ConnectAsync(cluster: false);
        var faulty = new FaultyRedis(connection);
        var redis = Own(TestStores.Create(faulty, RideOutOneFailure));
        var order = Order(TestStores.NextId());
        await redis.PutAsync(order);

        faulty.Fault = FaultyRedis.Down;
        await redis.RemoveByTagAsync($"tenant:{order.TenantId}");
        faulty.Fault = null;

        Assert.That(await redis.GetAsync<TenantOrder, int>(order.Id), Is.Null, "the removal that could not reach Redis is made good before Redis is read again");
    }

    private static TenantOrder Order(int tenant, int? id = null, string note = "v1")
    {
        var orderId = id ?? TestStores.NextId();
        return new TenantOrder { Id = orderId, Number = $"N-{orderId}", TenantId = tenant, Note = note };
    }

    /// <summary>A breaker that opens late, so the one injected failure is an outage the store rides out (skips and records) rather than an open circuit.</summary>
    private static void RideOutOneFailure(RedisStoreOptions options) => options.CircuitBreaker.FailureThreshold = 100;

    private async Task<ConnectionMultiplexer> ConnectAsync(bool cluster) => Own(await RedisTestEnvironment.ConnectAsync(cluster));

    private T Own<T>(T owned)
        where T : IAsyncDisposable
    {
        _owned.Add(owned);
        return owned;
    }

    /// <summary>Counts the commands sent to the database.</summary>
    private sealed class CommandCounter : DbCommandInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return new(result);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Interlocked.Increment(ref _count);
            return result;
        }
    }
}
