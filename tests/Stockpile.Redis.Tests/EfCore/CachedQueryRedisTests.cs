using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>
/// Issue 11 with Redis: two app instances (memory over Redis, the backplane, the interceptor) over one SQLite database.
/// A cached query's result is shared through Redis, and a commit on one instance drops it on the other at once: the
/// tables' tag versions live in Redis.
/// </summary>
[TestFixture]
public sealed class CachedQueryRedisTests
{
    private static readonly Func<RowDbContext, int, CancellationToken, Task<List<Row>>> s_namesFrom =
        StockpileQuery.CompileAsyncQuery((RowDbContext db, int from) => db.Rows.Where(r => r.Id >= from).OrderBy(r => r.Id));

    [Test]
    public async Task CommitOnA_BsNextCachedQuery_SeesTheNewData()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2, 3]);
        var counters = new List<Counter>();
        await using var pair = await StartAsync(database, counters);
        var (a, b) = (pair.A, pair.B);

        Assert.That(await NamesAsync(a, cacheName: null), Is.EqualTo(new[] { "v0", "v0", "v0" }));
        Assert.That(await NamesAsync(b, cacheName: null), Is.EqualTo(new[] { "v0", "v0", "v0" }));
        Assert.That(await NamesAsync(b, "reports"), Is.EqualTo(new[] { "v0", "v0", "v0" }));
        var bCommands = counters[1].Count;
        _ = await NamesAsync(b, cacheName: null);
        _ = await NamesAsync(b, "reports");
        Assert.That(counters[1].Count, Is.EqualTo(bCommands), "B's repeats are answered by its memory");

        await EfCoreApps.RenameAsync(a, 2, "v1");

        Assert.That(await NamesAsync(b, cacheName: null), Is.EqualTo(new[] { "v0", "v1", "v0" }), "the commit on A drops B's result in the default cache");
        Assert.That(await NamesAsync(b, "reports"), Is.EqualTo(new[] { "v0", "v1", "v0" }), "and in every named cache");
    }

    [Test]
    public async Task CompiledCachedQuery_CommitOnA_BsNextCallSeesTheNewData()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2, 3]);
        var counters = new List<Counter>();
        await using var pair = await StartAsync(database, counters);

        Assert.That(await CompiledNamesAsync(pair.A), Is.EqualTo(new[] { "v0", "v0" }));
        var bCommands = counters[1].Count;
        Assert.That(await CompiledNamesAsync(pair.B), Is.EqualTo(new[] { "v0", "v0" }));
        Assert.That(counters[1].Count, Is.EqualTo(bCommands), "the key is the same in both instances, so B reads A's entry from Redis");

        await EfCoreApps.RenameAsync(pair.A, 2, "v1");

        Assert.That(await CompiledNamesAsync(pair.B), Is.EqualTo(new[] { "v1", "v0" }), "the commit on A drops the result B would read");
    }

    [Test]
    public async Task CachedOnA_SameQueryOnB_AnsweredFromRedis()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2, 3]);
        var counters = new List<Counter>();
        await using var pair = await StartAsync(database, counters);

        var onA = await ProjectionAsync(pair.A);
        var bCommands = counters[1].Count;
        var onB = await ProjectionAsync(pair.B);

        Assert.That(counters[1].Count, Is.EqualTo(bCommands), "the key is the same in both instances, so B reads A's entry from Redis");
        Assert.That(onB, Is.EqualTo(onA));
        Assert.That(onB, Is.EqualTo("R1:v0,R2:v0,R3:v0|3|True"));
    }

    [Test]
    public async Task ExecuteUpdateOnA_BsNextCachedQuery_SeesTheNewData()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2]);
        var counters = new List<Counter>();
        await using var pair = await StartAsync(database, counters);

        Assert.That(await NamesAsync(pair.B, cacheName: null), Is.EqualTo(new[] { "v0", "v0" }));
        await using (var context = await pair.A.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync())
        {
            await context.Rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.Name, "bulk"));
        }

        Assert.That(await NamesAsync(pair.B, cacheName: null), Is.EqualTo(new[] { "bulk", "bulk" }));
    }

    [Test]
    public async Task TwoDatabasesOneCache_SameQuery_NeverShareAResult()
    {
        await using var first = await SqliteFileDatabase.CreateAsync();
        await using var second = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(first, [1, 2, 3]);
        await EfCoreApps.SeedAsync(second, [1]);
        var cache = new StockpileCache();
        var chain = new ChainedStore([new MemoryStore()]);

        async Task<int> CountAsync(SqliteFileDatabase database)
        {
            var options = new DbContextOptionsBuilder<RowDbContext>();
            database.Configure(options);
            options.AddStockpileInterceptor(chain, o => o.QueryCache = cache);
            await using var context = new RowDbContext(options.Options);
            return await context.Rows.Cached().CountAsync();
        }

        Assert.That((await CountAsync(first), await CountAsync(second), await CountAsync(first)), Is.EqualTo((3, 1, 3)));
    }

    [Test]
    public async Task RedisUnreachable_CachedQuery_AnsweredByTheDatabase()
    {
        await using var server = await Stockpile.Testing.Servers.RedisServer.StartAsync();
        await using var proxy = new Stockpile.Testing.Servers.TcpProxy(server.Port);
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2]);
        var services = new ServiceCollection();
        EfCoreApps.Database(database)(services);
        services.AddStockpile().AddMemoryStore()
            .AddRedisStore(o =>
            {
                o.Configuration = Stockpile.Testing.Servers.RedisServer.Host + ":" + proxy.Port;
                o.KeyPrefix = TestStores.UniquePrefix();
                TestStores.FailFast(o);
            })
            .AddRedisCache(Stockpile.Redis.Caching.RedisCacheLayout.RedisOnly)
            .AddEfCoreStore<RowDbContext>();
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<RowDbContext>>();

        async Task<string[]> NamesAsync()
        {
            await using var context = await factory.CreateDbContextAsync();
            return [.. (await context.Rows.OrderBy(r => r.Id).Cached().ToListAsync()).Select(static r => r.Name)];
        }

        Assert.That(await NamesAsync(), Is.EqualTo(new[] { "v0", "v0" }));
        proxy.Cut();
        await using (var context = database.CreateContext())
        {
            await context.Rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.Name, "behind"));
        }

        Assert.That(await NamesAsync(), Is.EqualTo(new[] { "behind", "behind" }), "Redis is down: the database answers, no exception");
    }

    private static Task<AppPair> StartAsync(SqliteFileDatabase database, List<Counter> counters) =>
        AppPair.StartAsync(
            RedisTestEnvironment.ConnectionString,
            static b => EfCoreApps.AddDatabaseTier(b.AddRedisCache().AddRedisCache("reports")),
            services =>
            {
                var counter = new Counter();
                counters.Add(counter);
                services.AddDbContextFactory<RowDbContext>((sp, o) =>
                {
                    database.Configure(o);
                    o.AddInterceptors(counter).AddStockpileInterceptor(sp);
                });
            });

    private static async Task<string[]> NamesAsync(AppInstance instance, string? cacheName)
    {
        await using var context = await instance.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync();
        var rows = await context.Rows.OrderBy(r => r.Id).Cached(new StockpileQueryOptions { CacheName = cacheName }).ToListAsync();
        return [.. rows.Select(static r => r.Name)];
    }

    private static async Task<string[]> CompiledNamesAsync(AppInstance instance)
    {
        await using var context = await instance.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync();
        return [.. (await s_namesFrom(context, 2, default)).Select(static r => r.Name)];
    }

    private static async Task<string> ProjectionAsync(AppInstance instance)
    {
        await using var context = await instance.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync();
        var first = "R";
        var rows = await context.Rows.Where(r => r.Code.StartsWith(first)).OrderBy(r => r.Id).Select(r => new { r.Code, r.Name }).Cached().ToListAsync();
        var count = await context.Rows.Cached().CountAsync();
        var any = await context.Rows.Cached().AnyAsync(r => r.Name == "v0");
        return string.Join(",", rows.Select(static r => r.Code + ":" + r.Name)) + "|" + count + "|" + any;
    }

    private sealed class Counter : DbCommandInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return new(result);
        }
    }
}
