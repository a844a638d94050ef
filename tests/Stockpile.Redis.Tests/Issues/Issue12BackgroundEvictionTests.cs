using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 8 (a save of 100 rows within 1.25x of the plain save), session 7: with
/// <see cref="ChainedStoreOptions.EvictSharedTiersInBackground"/> the SaveChanges interceptor returns once memory is
/// evicted, and Redis's eviction follows. The eviction's script is held before it reaches Redis
/// (<see cref="FaultyRedis.HoldNext"/>), so Redis provably still holds the old rows while the save has returned: this
/// process must read the committed rows all the same (single reads by either key, batches, concurrent readers), a put
/// of the rows made meanwhile must land after the eviction, and a failed eviction must leave nothing old for a later
/// read. Real SQLite and Redis.
/// </summary>
public sealed class Issue12BackgroundEvictionTests
{
    private const int Rows = 10;

    [Test]
    public async Task SaveChangesAsync_RedisEvictionHeld_SaveReturnsAndThisProcessReadsOnlyTheCommittedRows()
    {
        await using var app = await App.StartAsync();
        var held = await app.SaveHeldAsync("v1");

        Assert.That(await app.OldInRedisAsync(), Is.EqualTo(Rows), "Redis still holds every old row: the eviction is held");
        for (var round = 0; round < 5; round++)
        {
            foreach (var id in app.Ids)
            {
                Assert.That((await app.Chain.GetAsync<Row, int>(id))?.Name, Is.EqualTo("v1"), $"round {round}: row {id} by Id");
                Assert.That((await app.Chain.GetAsync<Row>(EntityKey.Of<Row>(nameof(Row.Code), $"R{id}")))?.Name, Is.EqualTo("v1"), $"round {round}: row {id} by Code");
            }

            var batch = await app.Chain.GetManyAsync<Row, int>(app.Ids);
            Assert.That(batch.Select(r => r?.Name), Has.All.EqualTo("v1"), $"round {round}: the batch");
        }

        // Readers hammering side by side while the eviction is still held.
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var names = new List<string?>();
            for (var i = 0; i < 50; i++)
            {
                var id = app.Ids[(i + r) % Rows];
                names.Add((await app.Chain.GetAsync<Row, int>(id))?.Name);
                names.AddRange((await app.Chain.GetManyAsync<Row, int>(app.Ids)).Select(x => x?.Name));
            }

            return names;
        })).ToArray();
        var read = (await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60))).SelectMany(n => n).ToArray();
        Assert.That(read, Has.All.EqualTo("v1"), $"{read.Count(n => n != "v1")} reads of {read.Length} were not the committed row");
        Assert.That(await app.OldInRedisAsync(), Is.EqualTo(Rows), "the eviction was still held while they read");

        held.SetResult();
        Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True);
        Assert.That(await app.OldInRedisAsync(), Is.Zero, "the eviction reached Redis");
        Assert.That((await app.Chain.GetManyAsync<Row, int>(app.Ids)).Select(r => r?.Name), Has.All.EqualTo("v1"));
    }

    [Test]
    public async Task PutAsync_AfterASaveWhoseRedisEvictionIsHeld_WaitsAndLandsAfterTheEviction()
    {
        await using var app = await App.StartAsync();
        var held = await app.SaveHeldAsync("v1");
        var id = app.Ids[0];

        var put = app.Chain.PutAsync(new Row { Id = id, Code = $"R{id}", Name = "v2" }).AsTask();

        // Only a wrong result can come early: the put cannot complete while the eviction is held.
        Assert.That(await Task.WhenAny(put, Task.Delay(TimeSpan.FromMilliseconds(200))), Is.Not.SameAs(put), "the put waited for the eviction under way");
        held.SetResult();
        await put.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True);

        // Sent before the eviction, the put's row would have been deleted by it.
        Assert.That((await app.Other.GetAsync<Row, int>(id))?.Name, Is.EqualTo("v2"), "Redis holds the put's row: the older eviction did not overtake it");
        Assert.That((await app.Chain.GetAsync<Row, int>(id))?.Name, Is.EqualTo("v2"));
    }

    [Test]
    public async Task SaveChangesAsync_BackgroundEvictionFails_RedisServesNoOldRowAfterwards()
    {
        await using var app = await App.StartAsync();
        var held = await app.SaveHeldAsync("v1");

        app.Faulty.Fault = FaultyRedis.Down;
        held.SetResult();
        await app.BackgroundEndedAsync();
        Assert.That(await app.OldInRedisAsync(), Is.EqualTo(Rows), "the eviction did not land: Redis still holds the old rows");

        app.Faulty.Fault = null;
        Assert.That((await app.Chain.GetManyAsync<Row, int>(app.Ids)).Select(r => r?.Name), Has.All.EqualTo("v1"), "the keys the failed eviction missed are removed before Redis is read");
        Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True);
        Assert.That(await app.OldInRedisAsync(), Is.Zero);
    }

    [Test]
    public async Task SaveChangesAsync_OptionOff_SaveWaitsForTheRedisEviction()
    {
        await using var app = await App.StartAsync(background: false);
        var (reached, release) = app.Faulty.HoldNext("ScriptEvaluateAsync");
        var save = app.RenameAllAsync("v1");
        await reached.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(await Task.WhenAny(save, Task.Delay(TimeSpan.FromMilliseconds(200))), Is.Not.SameAs(save), "the save waits for Redis");
        release.SetResult();
        await save.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(await app.OldInRedisAsync(), Is.Zero, "Redis evicted when the save returned");
    }

    [Test]
    public async Task SaveChangesAsync_OptionFromAddStockpile_RedisWritesPaused_SaveReturns_OtherInstanceEvictsAfterTheMessage()
    {
        // A private server: every client's writes (the eviction's script and its message) wait while it is paused.
        await using var server = await RedisServer.StartAsync();
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2]);
        await using var pair = await AppPair.StartAsync(server.ConnectionString, EfCoreApps.AddDatabaseTier, services =>
        {
            EfCoreApps.Database(database)(services);
            services.AddOptions<StockpileOptions>().Configure(o => o.EvictSharedTiersInBackground = true);
        });
        var (a, b) = (pair.A, pair.B);
        foreach (var app in new[] { a, b })
        {
            Assert.That((await app.Chain.GetAsync<Row, int>(1))?.Name, Is.EqualTo("v0"));
            Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True);
        }

        await RedisCommandStats.PauseWritesAsync(server.Port);
        try
        {
            await EfCoreApps.RenameAsync(a, 1, "v1").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Multiple(async () =>
            {
                Assert.That(a.Chain.BackgroundBackfills, Is.EqualTo(1), "the eviction waits behind the paused writes");
                Assert.That((await a.Chain.GetAsync<Row, int>(1))?.Name, Is.EqualTo("v1"), "A reads its commit by Id");
                Assert.That((await a.Chain.GetAsync<Row>(EntityKey.Of<Row>(nameof(Row.Code), "R1")))?.Name, Is.EqualTo("v1"), "and by Code");
                Assert.That((await b.Chain.GetAsync<Row, int>(1))?.Name, Is.EqualTo("v0"), "B holds v0 until the message, which leaves after the eviction");
            });
        }
        finally
        {
            await RedisCommandStats.UnpauseAsync(server.Port);
        }

        Assert.That(await a.Chain.SettleAsync(CancellationToken.None), Is.True);
        Assert.That(await a.Redis.GetAsync<Row, int>(1), Is.Null, "the eviction reached Redis");
        await RedisBackplaneTests.WaitUntilAsync(async () => (await b.Chain.GetAsync<Row, int>(1))?.Name == "v1");
    }

    [Test]
    public async Task GetManyAsync_TwoTypes_OnlyTheTypeBeingEvictedSkipsRedis()
    {
        await using var connection = await RedisTestEnvironment.ConnectAsync();
        var faulty = new FaultyRedis(connection);
        var prefix = TestStores.UniquePrefix();
        await using var redis = TestStores.Create(faulty, o => o.KeyPrefix = prefix);
        var database = new FakeDatabase();
        var chain = new ChainedStore([new MemoryStore(), redis, database], new ChainedStoreOptions { EvictSharedTiersInBackground = true });
        var product = TestStores.NewProduct("v0");
        var customer = new Customer { Code = $"C{TestStores.NextId()}", Name = "v0" };
        await database.PutAsync(product);
        await database.PutAsync(customer);
        EntityKey[] keys = [EntityKey.For<Customer>(customer.Code), EntityKey.For<Product>(product.Id)];
        Assert.That((await chain.GetManyUntypedAsync(keys, CancellationToken.None)).Count(o => o is not null), Is.EqualTo(2));
        Assert.That(await chain.SettleAsync(CancellationToken.None), Is.True, "both are in memory and Redis");

        // Both rows change in the database; only the product is evicted (held before Redis). The customer leaves memory
        // only (what another instance's message does), so the batch asks Redis for it, which still holds v0.
        await database.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "v1", Price = product.Price });
        await database.PutAsync(new Customer { Code = customer.Code, Name = "v1" });
        var (reached, release) = faulty.HoldNext("ScriptEvaluateAsync");
        _ = await chain.InvalidateBehindAsync([EntityKey.For<Product>(product.Id)], _ => default);
        await reached.WaitAsync(TimeSpan.FromSeconds(30));
        await chain.EvictLocalAsync([EntityKey.For<Customer>(customer.Code)]);

        // A batch of two types, as the interceptor's write-through of a save of both reads them back.
        var read = await chain.GetManyUntypedAsync(keys, CancellationToken.None);
        release.SetResult();
        Assert.Multiple(() =>
        {
            Assert.That((read[0] as Customer)?.Name, Is.EqualTo("v0"), "the customer, of a type not being evicted, is read from Redis");
            Assert.That((read[1] as Product)?.Name, Is.EqualTo("v1"), "the product skips Redis and is read from the database");
        });
        Assert.That(await chain.SettleAsync(CancellationToken.None), Is.True);
    }

    /// <summary>Memory → Redis (through <see cref="FaultyRedis"/>) → EF Core on SQLite, and the interceptor on the app's contexts.</summary>
    private sealed class App : IAsyncDisposable
    {
        private readonly IConnectionMultiplexer _connection;
        private readonly SqliteFileDatabase _database;
        private readonly RedisStore _redis;
        private readonly DbContextOptions<RowDbContext> _options;

        private App(IConnectionMultiplexer connection, SqliteFileDatabase database, bool background)
        {
            _connection = connection;
            _database = database;
            var prefix = TestStores.UniquePrefix();
            Faulty = new FaultyRedis(connection);
            _redis = TestStores.Create(Faulty, o => o.KeyPrefix = prefix);
            Other = TestStores.Create(connection, o => o.KeyPrefix = prefix);
            Chain = new ChainedStore(
                [new MemoryStore(), _redis, new EfCoreStore<RowDbContext>(database.CreateFactory())],
                new ChainedStoreOptions { EvictSharedTiersInBackground = background });
            var builder = new DbContextOptionsBuilder<RowDbContext>();
            database.Configure(builder);
            _options = builder.AddStockpileInterceptor(Chain).Options;
            Ids = Enumerable.Range(0, Rows).Select(_ => TestStores.NextId()).ToArray();
        }

        public FaultyRedis Faulty { get; }

        /// <summary>Gets a store on the same prefix over the plain connection: what Redis holds, seen from outside the app.</summary>
        public RedisStore Other { get; }

        public ChainedStore Chain { get; }

        public int[] Ids { get; }

        /// <summary>Starts the app, seeds the rows (<c>v0</c>), and reads them into memory and Redis.</summary>
        public static async Task<App> StartAsync(bool background = true)
        {
            var app = new App(await RedisTestEnvironment.ConnectAsync(), await SqliteFileDatabase.CreateAsync(), background);
            await EfCoreApps.SeedAsync(app._database, app.Ids);
            Assert.That((await app.Chain.GetManyAsync<Row, int>(app.Ids)).Select(r => r?.Name), Has.All.EqualTo("v0"));
            Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True, "the Redis back-fill follows the answer");
            Assert.That(await app.OldInRedisAsync(), Is.EqualTo(Rows), "Redis holds every row");
            return app;
        }

        /// <summary>Renames every row through a context with the interceptor.</summary>
        public async Task RenameAllAsync(string name)
        {
            await using var context = new RowDbContext(_options);
            foreach (var row in await context.Rows.Where(r => Ids.Contains(r.Id)).ToListAsync())
            {
                row.Name = name;
            }

            await context.SaveChangesAsync();
        }

        /// <summary>Holds the next script, saves (which returns), and waits until the eviction's script is sent and held.</summary>
        /// <returns>What lets the eviction reach Redis.</returns>
        public async Task<TaskCompletionSource> SaveHeldAsync(string name)
        {
            var (reached, release) = Faulty.HoldNext("ScriptEvaluateAsync");
            await RenameAllAsync(name).WaitAsync(TimeSpan.FromSeconds(60));
            await reached.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(Chain.BackgroundBackfills, Is.EqualTo(1), "the eviction runs behind the save");
            return release;
        }

        /// <summary>Waits until the eviction behind the save ended (the chain's count of background work drops to zero).</summary>
        public async Task BackgroundEndedAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Chain.BackgroundBackfills > 0)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the eviction behind the save never ended");
                await Task.Delay(5);
            }
        }

        /// <summary>How many rows Redis still serves as <c>v0</c>, by either key.</summary>
        public async Task<int> OldInRedisAsync()
        {
            var old = 0;
            foreach (var id in Ids)
            {
                var byId = await Other.GetAsync<Row, int>(id);
                var byCode = await Other.GetAsync<Row>(EntityKey.Of<Row>(nameof(Row.Code), $"R{id}"));
                old += byId?.Name == "v0" || byCode?.Name == "v0" ? 1 : 0;
            }

            return old;
        }

        public async ValueTask DisposeAsync()
        {
            await Other.DisposeAsync();
            await _redis.DisposeAsync();
            await _database.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
