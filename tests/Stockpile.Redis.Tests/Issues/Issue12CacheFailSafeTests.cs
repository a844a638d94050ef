using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12 (torture cases 3 and 4): the cache beside the entities on memory over Redis (<c>AddRedisCache</c>), which
/// the query cache uses, called Redis without the store's circuit breaker. With Redis stopped or frozen, a get-or-create
/// threw <see cref="RedisConnectionException"/> or a timeout, every cached query and every commit's tag removal waited
/// a whole timeout, and the circuit never opened for them. Now the cache's calls share the store's breaker: reads miss
/// (a cached query goes to the database), writes, removals and tag removals are skipped and remembered, and what was
/// skipped is removed from Redis before the cache uses it again. Two instances (A and B) share a private redis-server
/// (stopped, or frozen with <c>SIGSTOP</c>, which keeps its data) and one SQLite file.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class Issue12CacheFailSafeTests
{
    private const int Attempts = 40;

    [Test]
    public async Task GetOrCreateAsync_RedisStopped_ReturnsTheFactorysValueAndOpensTheCircuit()
    {
        await using var setup = await Setup.StartAsync();
        var cache = setup.Pair.A.Services.GetRequiredService<IStockpileCache>();
        await setup.Server.StopAsync();

        var calls = 0;
        for (var i = 0; i < Attempts && setup.Pair.A.Redis.CircuitState != RedisCircuitState.Open; i++, calls++)
        {
            var tags = i % 2 == 0 ? null : new StockpileCacheEntryOptions { Tags = ["t"] };
            Assert.That(await cache.GetOrCreateAsync("key-" + i, i, static (i, _) => ValueTask.FromResult(i), tags), Is.EqualTo(i), "the factory's value, no exception");
        }

        Assert.That(setup.Pair.A.Redis.CircuitState, Is.EqualTo(RedisCircuitState.Open), $"the cache's failed calls opened the shared circuit ({calls} calls)");
        for (var i = 0; i < Attempts && setup.Pair.A.Count("CacheReadSkippedCircuitOpen") == 0; i++)
        {
            Assert.That(await cache.GetOrCreateAsync("key-open-" + i, i, static (i, _) => ValueTask.FromResult(i), new StockpileCacheEntryOptions { Tags = ["t"] }), Is.EqualTo(i));
        }

        Assert.That(setup.Pair.A.Count("CacheReadSkippedCircuitOpen"), Is.GreaterThan(0), "while the circuit is open the cache's reads are refused, not sent");
    }

    /// <summary>
    /// Soak seed 173209 (backplane cut, cluster, PostgreSQL): A served a compiled cached query older than its own
    /// returned commit. Every unknown tag version was one constant, so a cached query read after the commit (stamps
    /// unknown) joined the run of the same query started before it (stamps unknown too): equal stamps are what says no
    /// commit to the tables came in between. Each read Redis cannot answer now gets versions no other read gets.
    /// </summary>
    [Test]
    public async Task StampAsync_RedisStopped_EachReadsVersionsAreUnknownAndUnlikeAnyOthers()
    {
        await using var setup = await Setup.StartAsync();
        var cache = setup.Pair.A.Services.GetRequiredService<StockpileCache>();
        var live = await cache.StampAsync(["t"], default);
        await setup.Server.StopAsync();

        var first = await cache.StampAsync(["t"], default);
        var second = await cache.StampAsync(["t"], default);

        Assert.That(first![0].Version, Is.Not.EqualTo(second![0].Version), "two reads while Redis is down never share a version");
        Assert.That(new[] { first[0].Version, second[0].Version }, Has.None.EqualTo(live![0].Version));
        Assert.That(await cache.Tier.AreCurrentAsync(first, default), Is.False, "an unknown version is never current");
    }

    [Test]
    public async Task CachedQuery_RedisFrozen_AnsweredFromTheDatabaseAndRefusedByTheOpenCircuit()
    {
        await using var setup = await Setup.StartAsync();
        Assert.That(await NamesAsync(setup.Pair.A), Is.EqualTo(new[] { "v0", "v0", "v0" }));
        await setup.Server.FreezeAsync();
        try
        {
            await EfCoreApps.RenameAsync(setup.Pair.A, 2, "v1");
            for (var i = 0; i < Attempts && setup.Pair.A.Redis.CircuitState != RedisCircuitState.Open; i++)
            {
                Assert.That(await NamesAsync(setup.Pair.A), Is.EqualTo(new[] { "v0", "v1", "v0" }), "the database's rows, never the result cached before the commit");
            }

            Assert.That(setup.Pair.A.Redis.CircuitState, Is.EqualTo(RedisCircuitState.Open), "the query cache's failed calls opened the circuit");
            for (var i = 0; i < Attempts && setup.Pair.A.Count("CacheReadSkippedCircuitOpen") == 0; i++)
            {
                Assert.That(await NamesAsync(setup.Pair.A), Is.EqualTo(new[] { "v0", "v1", "v0" }));
            }

            Assert.That(setup.Pair.A.Count("CacheReadSkippedCircuitOpen"), Is.GreaterThan(0), "the cached query's Redis read was refused by the open circuit, not sent to wait for a timeout");
        }
        finally
        {
            await setup.Server.ThawAsync();
        }

        await UntilCleanAsync(setup.Pair.A);
        Assert.That(await NamesAsync(setup.Pair.B), Is.EqualTo(new[] { "v0", "v1", "v0" }), "after the thaw the commit's skipped tag removal reached Redis");
    }

    [Test]
    public async Task SetRemoveAndRemoveByTag_RedisFrozen_SkippedWithoutException_NothingStaleAfterTheThaw()
    {
        await using var setup = await Setup.StartAsync();
        var a = setup.Pair.A.Services.GetRequiredService<IStockpileCache>();
        var b = setup.Pair.B.Services.GetRequiredService<IStockpileCache>();
        var tagged = new StockpileCacheEntryOptions { Tags = ["group"] };
        await a.SetAsync("plain", "v1");
        await a.SetAsync("removed", "v1");
        Assert.That(await a.GetOrCreateAsync("tagged", "v1", static (v, _) => ValueTask.FromResult(v), tagged), Is.EqualTo("v1"));
        // A's made value reaches Redis after the answer (in the background): B reads it once it landed (session 10: under load B made its own).
        await ((Stockpile.Internal.Caching.LayeredCacheTier)((StockpileCache)a).Tier).SettledAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(await b.GetAsync<string>("plain"), Is.EqualTo("v1"));
        Assert.That(await b.GetOrCreateAsync("tagged", "other", static (v, _) => ValueTask.FromResult(v), tagged), Is.EqualTo("v1"));

        await setup.Server.FreezeAsync();
        try
        {
            await a.SetAsync("plain", "v2");
            await a.RemoveAsync("removed");
            await a.RemoveByTagAsync("group");
            Assert.That(await a.GetAsync<string>("plain"), Is.EqualTo("v2"), "A's memory level has its own write");
            Assert.That(await a.GetAsync<string>("removed"), Is.Null);
            Assert.That(await a.GetOrCreateAsync("tagged", "v2", static (v, _) => ValueTask.FromResult(v), tagged), Is.EqualTo("v2"), "a tagged value A cannot check is a miss");
        }
        finally
        {
            await setup.Server.ThawAsync();
        }

        await UntilCleanAsync(setup.Pair.A);
        await using var direct = await ConnectionMultiplexer.ConnectAsync(setup.Server.ConnectionString);
        var redis = RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(direct), setup.Pair.A.Redis.KeyPrefixForTests, RedisCacheLayout.RedisOnly, out _);
        await using (redis)
        {
            Assert.That(await redis.GetAsync<string>("plain"), Is.Not.EqualTo("v1"), "Redis no longer holds the value A's skipped set replaced");
            Assert.That(await redis.GetAsync<string>("removed"), Is.Null, "nor the value A's skipped removal removed");
            Assert.That(await redis.GetOrCreateAsync("tagged", "v3", static (v, _) => ValueTask.FromResult(v), tagged), Is.EqualTo("v3"), "nor a value of the tag A removed");
        }

        Assert.That(await b.GetOrCreateAsync("tagged", "v4", static (v, _) => ValueTask.FromResult(v), tagged), Is.Not.EqualTo("v1"), "B's memory level checks the tag's version, which moved");
        await RedisBackplaneTests.WaitUntilAsync(async () => await b.GetAsync<string>("plain") != "v1" && await b.GetAsync<string>("removed") is null, TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// Waits until a counter's increment goes through A's cache: an increment is never skipped (only Redis can answer
    /// it), and the clean-up of what was skipped runs before any call, so once one succeeds the clean-up is done.
    /// </summary>
    private static Task UntilCleanAsync(AppInstance instance) => Issue11QueryInvalidationOutageTests.WaitUntilConnectedAsync(instance);

    private static async Task<string[]> NamesAsync(AppInstance instance)
    {
        await using var context = await instance.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync();
        return [.. (await context.Rows.OrderBy(r => r.Id).Cached().ToListAsync()).Select(static r => r.Name)];
    }

    private sealed class Setup : IAsyncDisposable
    {
        private readonly SqliteFileDatabase _database;

        private Setup(RedisServer server, SqliteFileDatabase database, AppPair pair)
        {
            (Server, _database, Pair) = (server, database, pair);
        }

        public RedisServer Server { get; }

        public AppPair Pair { get; }

        public static async Task<Setup> StartAsync()
        {
            var server = await RedisServer.StartAsync();
            var database = await SqliteFileDatabase.CreateAsync();
            await EfCoreApps.SeedAsync(database, [1, 2, 3]);
            var pair = await AppPair.StartAsync(server.ConnectionString, static b => EfCoreApps.AddDatabaseTier(b.AddRedisCache()), EfCoreApps.Database(database), TestStores.FailFast);
            return new Setup(server, database, pair);
        }

        public async ValueTask DisposeAsync()
        {
            await Pair.DisposeAsync();
            await _database.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
