using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 8, session 8: while an eviction runs behind a save (<see cref="ChainedStoreOptions.EvictSharedTiersInBackground"/>),
/// a read by primary key skips Redis only for the objects being evicted, not for every object of their type: under
/// steady writes of a type, its other objects' memory misses are still served by Redis, not the database. A read by an
/// alternate key still skips Redis for the whole type (a pointer there may name an evicted object under a value the
/// eviction does not know). The eviction's script is held before it reaches Redis (<see cref="FaultyRedis.HoldNext"/>),
/// so Redis provably still holds the old state; each object's new state is only in the database and its old state only
/// in Redis, so the value read tells which tier served it. Real Redis.
/// </summary>
public sealed class Issue12EvictionBehindByKeyTests
{
    [Test]
    public async Task GetAsync_ByPrimaryKey_OtherObjectOfTheTypeBeingEvicted_IsServedByRedis()
    {
        await using var app = await App.StartAsync();
        var (a, b) = await app.SeedProductsAsync();
        var (behind, release) = await app.EvictHeldAsync(ProductKeys(a));

        await app.Chain.EvictLocalAsync([EntityKey.For<Product>(b.Id)]);
        Assert.That((await app.Chain.GetAsync<Product, int>(b.Id))?.Name, Is.EqualTo("v0"), "B, not being evicted, is read from Redis (only Redis holds v0)");

        await app.EndHeldAsync(behind, release);
    }

    [Test]
    public async Task GetAsync_ObjectBeingEvicted_ByPrimaryOrAlternateKey_SkipsRedis()
    {
        await using var app = await App.StartAsync();
        var (a, _) = await app.SeedProductsAsync();
        var (behind, release) = await app.EvictHeldAsync(ProductKeys(a));

        Assert.That((await app.Other.GetAsync<Product, int>(a.Id))?.Name, Is.EqualTo("v0"), "Redis still holds A's old state: the eviction is held");
        Assert.Multiple(async () =>
        {
            Assert.That((await app.Chain.GetAsync<Product, int>(a.Id))?.Name, Is.EqualTo("v1"), "A by Id skips Redis");
            Assert.That((await app.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), a.Sku)))?.Name, Is.EqualTo("v1"), "A by Sku skips Redis");
        });

        await app.EndHeldAsync(behind, release);
        Assert.That(await app.Other.GetAsync<Product, int>(a.Id), Is.Null.Or.Property(nameof(Product.Name)).EqualTo("v1"), "the eviction reached Redis");
    }

    [Test]
    public async Task GetAsync_ByAlternateKey_OtherObjectOfTheTypeBeingEvicted_StillSkipsRedis()
    {
        await using var app = await App.StartAsync();
        var (a, b) = await app.SeedProductsAsync();
        var (behind, release) = await app.EvictHeldAsync(ProductKeys(a));

        // By an alternate key only the pointer names the object: the whole type keeps skipping Redis, as before.
        await app.Chain.EvictLocalAsync(ProductKeys(b));
        Assert.That((await app.Chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), b.Sku)))?.Name, Is.EqualTo("v1"), "B by Sku is read from the database");

        await app.EndHeldAsync(behind, release);
    }

    [Test]
    public async Task GetManyAsync_MixingTheObjectBeingEvictedAndAnother_OnlyTheEvictedOneSkipsRedis()
    {
        await using var app = await App.StartAsync();
        var (a, b) = await app.SeedProductsAsync();
        var (behind, release) = await app.EvictHeldAsync(ProductKeys(a));

        await app.Chain.EvictLocalAsync([EntityKey.For<Product>(b.Id)]);
        var read = await app.Chain.GetManyAsync<Product, int>([a.Id, b.Id]);
        Assert.Multiple(() =>
        {
            Assert.That(read[0]?.Name, Is.EqualTo("v1"), "A skips Redis");
            Assert.That(read[1]?.Name, Is.EqualTo("v0"), "B is read from Redis");
        });

        await app.EndHeldAsync(behind, release);
    }

    [Test]
    public async Task GetAsync_TwoEvictionsOfOneObject_FirstEnds_ObjectStillSkipsRedisUntilTheOtherEnds()
    {
        await using var app = await App.StartAsync();
        var (a, b) = await app.SeedProductsAsync();
        var (first, release) = await app.EvictHeldAsync(ProductKeys(a));
        var second = await app.Chain.InvalidateBehindAsync(ProductKeys(a), _ => default, keysNameEveryObject: true);
        await second.WaitAsync(TimeSpan.FromSeconds(30));

        // The second eviction reached Redis; the old state is put back, as the held one may yet find it.
        await app.Other.PutAsync(new Product { Id = a.Id, Sku = a.Sku, Name = "v0", Price = a.Price });
        Assert.That((await app.Other.GetAsync<Product, int>(a.Id))?.Name, Is.EqualTo("v0"));
        await app.Chain.EvictLocalAsync([EntityKey.For<Product>(b.Id)]);
        Assert.Multiple(async () =>
        {
            Assert.That((await app.Chain.GetAsync<Product, int>(a.Id))?.Name, Is.EqualTo("v1"), "A is still being evicted by the first: it skips Redis");
            Assert.That((await app.Chain.GetAsync<Product, int>(b.Id))?.Name, Is.EqualTo("v0"), "B is read from Redis");
        });

        await app.EndHeldAsync(first, release);
    }

    [Test]
    public async Task GetAsync_DerivedObjectBeingEvicted_ReadByTheBaseTypesKey_SkipsRedis()
    {
        await using var app = await App.StartAsync(polymorphic: true);
        var car = new Car { Id = TestStores.NextId(), Vin = $"VIN-{TestStores.NextId()}", Make = "v0", Doors = 3 };
        var truck = new Truck { Id = TestStores.NextId(), Make = "v0", Axles = 2 };
        await app.Database.PutAsync(car);
        await app.Database.PutAsync(truck);
        var cached = await app.Chain.GetManyAsync<Automobile, int>([car.Id, truck.Id]);
        Assert.That(cached.Select(c => c?.Make), Has.All.EqualTo("v0"));
        Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True, "both are in memory and Redis");
        await app.Database.PutAsync(new Car { Id = car.Id, Vin = car.Vin, Make = "v1", Doors = 3 });
        await app.Database.PutAsync(new Truck { Id = truck.Id, Make = "v1", Axles = 2 });

        // Evicted as a Car, read as an Automobile: the look-ups differ, the object is the same.
        var (behind, release) = await app.EvictHeldAsync([EntityKey.For<Car>(car.Id), EntityKey.Of<Car>(nameof(Car.Vin), car.Vin)]);
        await app.Chain.EvictLocalAsync([EntityKey.For<Truck>(truck.Id)]);
        Assert.Multiple(async () =>
        {
            Assert.That((await app.Chain.GetAsync<Automobile, int>(car.Id))?.Make, Is.EqualTo("v1"), "the car by the base type's key skips Redis");
            Assert.That((await app.Chain.GetAsync<Automobile, int>(truck.Id))?.Make, Is.EqualTo("v0"), "the truck, not being evicted, is read from Redis");
            var read = await app.Chain.GetManyAsync<Automobile, int>([car.Id, truck.Id]);
            Assert.That(read[0]?.Make, Is.EqualTo("v1"), "the batch's car skips Redis");
        });

        await app.EndHeldAsync(behind, release);
    }

    [Test]
    public async Task GetAsync_ByPrimaryKey_ObjectEvictedByItsAlternateKeyOnly_SkipsRedis()
    {
        await using var app = await App.StartAsync();
        var (a, b) = await app.SeedProductsAsync();

        // Redis's delete by Sku follows the pointer and evicts the object: its primary key is not in the list, so the
        // type's reads by primary key skip Redis whole, as before.
        var (behind, release) = await app.EvictHeldAsync([EntityKey.Of<Product>(nameof(Product.Sku), a.Sku)], keysNameEveryObject: false);
        await app.Chain.EvictLocalAsync([EntityKey.For<Product>(b.Id)]);
        Assert.That((await app.Other.GetAsync<Product, int>(a.Id))?.Name, Is.EqualTo("v0"), "Redis still holds A's old state: the eviction is held");
        Assert.Multiple(async () =>
        {
            Assert.That((await app.Chain.GetAsync<Product, int>(a.Id))?.Name, Is.EqualTo("v1"), "A by Id skips Redis");
            Assert.That((await app.Chain.GetManyAsync<Product, int>([a.Id])).Single()?.Name, Is.EqualTo("v1"), "A by Id in a batch skips Redis");
        });

        await app.EndHeldAsync(behind, release);
    }

    [Test]
    public async Task SaveChangesAsync_RedisEvictionHeld_AnotherRowByIdIsServedByRedis()
    {
        await using var app = await EfApp.StartAsync();
        await app.RenameInDatabaseOnlyAsync(app.Ids[1], "v1");
        await app.Chain.EvictLocalAsync([EntityKey.For<Row>(app.Ids[1])]);

        // A tracked save evicts the row by every key, its Id among them: only that row skips Redis.
        var (reached, release) = app.Faulty.HoldNext("ScriptEvaluateAsync");
        await using (var context = app.CreateContext())
        {
            (await context.Rows.SingleAsync(r => r.Id == app.Ids[0])).Name = "saved";
            await context.SaveChangesAsync();
        }

        await reached.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(app.Chain.BackgroundBackfills, Is.EqualTo(1), "the eviction runs behind the save");
        Assert.Multiple(async () =>
        {
            Assert.That((await app.Chain.GetAsync<Row, int>(app.Ids[0]))?.Name, Is.EqualTo("saved"), "the saved row skips Redis");
            Assert.That((await app.Chain.GetAsync<Row, int>(app.Ids[1]))?.Name, Is.EqualTo("v0"), "the other row is read from Redis (the database holds v1)");
        });

        release.SetResult();
        Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True);
    }

    [Test]
    public async Task ExecuteUpdateAsync_PinnedByAlternateKey_RedisEvictionHeld_ReadByIdGetsTheUpdate()
    {
        await using var app = await EfApp.StartAsync();
        var (reached, release) = app.Faulty.HoldNext("ScriptEvaluateAsync");
        var code = $"R{app.Ids[0]}";
        await using (var context = app.CreateContext())
        {
            Assert.That(await context.Rows.Where(r => r.Code == code).ExecuteUpdateAsync(s => s.SetProperty(r => r.Name, "bulk")), Is.EqualTo(1));
        }

        await reached.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(app.Chain.BackgroundBackfills, Is.EqualTo(1), "the eviction by Code runs behind the statement");
        Assert.That((await app.Chain.GetAsync<Row, int>(app.Ids[0]))?.Name, Is.EqualTo("bulk"), "the row by Id skips Redis, which still holds v0");

        release.SetResult();
        Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True);
        Assert.That((await app.Chain.GetManyAsync<Row, int>(app.Ids)).Select(r => r?.Name), Is.EqualTo(new[] { "bulk", "v0" }));
    }

    private static EntityKey[] ProductKeys(Product product) =>
        [EntityKey.For<Product>(product.Id), EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)];

    /// <summary>Memory → Redis (through <see cref="FaultyRedis"/>) → EF Core on SQLite, and the interceptor; two rows read into both caches as <c>v0</c>.</summary>
    private sealed class EfApp : IAsyncDisposable
    {
        private readonly IConnectionMultiplexer _connection;
        private readonly SqliteFileDatabase _sqlite;
        private readonly RedisStore _redis;
        private readonly DbContextOptions<RowDbContext> _options;

        private EfApp(IConnectionMultiplexer connection, SqliteFileDatabase sqlite)
        {
            _connection = connection;
            _sqlite = sqlite;
            Faulty = new FaultyRedis(connection);
            _redis = TestStores.Create(Faulty, o => o.KeyPrefix = TestStores.UniquePrefix());
            Chain = new ChainedStore([new MemoryStore(), _redis, new EfCoreStore<RowDbContext>(sqlite.CreateFactory())], new ChainedStoreOptions { EvictSharedTiersInBackground = true });
            var builder = new DbContextOptionsBuilder<RowDbContext>();
            sqlite.Configure(builder);
            _options = builder.AddStockpileInterceptor(Chain).Options;
        }

        public FaultyRedis Faulty { get; }

        public ChainedStore Chain { get; }

        public int[] Ids { get; } = [TestStores.NextId(), TestStores.NextId()];

        public static async Task<EfApp> StartAsync()
        {
            var app = new EfApp(await RedisTestEnvironment.ConnectAsync(), await SqliteFileDatabase.CreateAsync());
            await EfCoreApps.SeedAsync(app._sqlite, app.Ids);
            Assert.That((await app.Chain.GetManyAsync<Row, int>(app.Ids)).Select(r => r?.Name), Has.All.EqualTo("v0"));
            Assert.That(await app.Chain.SettleAsync(CancellationToken.None), Is.True, "the rows are in memory and Redis");
            return app;
        }

        /// <summary>Renames a row through a context without the interceptor: the caches keep the old state.</summary>
        public async Task RenameInDatabaseOnlyAsync(int id, string name)
        {
            await using var context = _sqlite.CreateContext();
            (await context.Rows.SingleAsync(r => r.Id == id)).Name = name;
            await context.SaveChangesAsync();
        }

        /// <summary>A context with the interceptor.</summary>
        public RowDbContext CreateContext() => new(_options);

        public async ValueTask DisposeAsync()
        {
            await _redis.DisposeAsync();
            await _sqlite.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    /// <summary>Memory → Redis (through <see cref="FaultyRedis"/>) → a fake database, evicting behind.</summary>
    private sealed class App : IAsyncDisposable
    {
        private readonly IConnectionMultiplexer _connection;
        private readonly RedisStore _redis;

        private App(IConnectionMultiplexer connection, bool polymorphic)
        {
            _connection = connection;
            var prefix = TestStores.UniquePrefix();
            Faulty = new FaultyRedis(connection);
            _redis = TestStores.Create(Faulty, o => (o.KeyPrefix, o.Polymorphic) = (prefix, polymorphic));
            Other = TestStores.Create(connection, o => (o.KeyPrefix, o.Polymorphic) = (prefix, polymorphic));
            Database = new FakeDatabase(polymorphic);
            Chain = new ChainedStore(
                [new MemoryStore(new MemoryStoreOptions { Polymorphic = polymorphic }), _redis, Database],
                new ChainedStoreOptions { EvictSharedTiersInBackground = true });
        }

        public FaultyRedis Faulty { get; }

        /// <summary>Gets a store on the same prefix over the plain connection: what Redis holds, seen from outside the chain.</summary>
        public RedisStore Other { get; }

        public FakeDatabase Database { get; }

        public ChainedStore Chain { get; }

        public static async Task<App> StartAsync(bool polymorphic = false) => new(await RedisTestEnvironment.ConnectAsync(), polymorphic);

        /// <summary>Two products read into memory and Redis as <c>v0</c>, then renamed <c>v1</c> in the database only.</summary>
        public async Task<(Product A, Product B)> SeedProductsAsync()
        {
            var a = TestStores.NewProduct("v0");
            var b = TestStores.NewProduct("v0");
            await Database.PutAsync(a);
            await Database.PutAsync(b);
            Assert.That((await Chain.GetManyAsync<Product, int>([a.Id, b.Id])).Select(p => p?.Name), Has.All.EqualTo("v0"));
            Assert.That(await Chain.SettleAsync(CancellationToken.None), Is.True, "both are in memory and Redis");
            Assert.That((await Other.GetAsync<Product, int>(b.Id))?.Name, Is.EqualTo("v0"), "Redis holds B");
            await Database.PutAsync(new Product { Id = a.Id, Sku = a.Sku, Name = "v1", Price = a.Price });
            await Database.PutAsync(new Product { Id = b.Id, Sku = b.Sku, Name = "v1", Price = b.Price });
            return (a, b);
        }

        /// <summary>Lets a held eviction reach Redis, and waits until it and the chain's back-fills ended.</summary>
        public async Task EndHeldAsync(Task behind, TaskCompletionSource release)
        {
            release.SetResult();
            await behind.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(await Chain.SettleAsync(CancellationToken.None), Is.True);
        }

        /// <summary>
        /// Evicts behind, holding the eviction's script before it reaches Redis; by default as the interceptor evicts
        /// tracked changes (every object named by its primary key, its other keys beside it).
        /// </summary>
        /// <returns>The background part, and what lets it reach Redis.</returns>
        public async Task<(Task Behind, TaskCompletionSource Release)> EvictHeldAsync(IReadOnlyList<EntityKey> keys, bool keysNameEveryObject = true)
        {
            var (reached, release) = Faulty.HoldNext("ScriptEvaluateAsync");
            var behind = await Chain.InvalidateBehindAsync(keys, _ => default, keysNameEveryObject);
            await reached.WaitAsync(TimeSpan.FromSeconds(30));
            return (behind, release);
        }

        public async ValueTask DisposeAsync()
        {
            await Other.DisposeAsync();
            await _redis.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
