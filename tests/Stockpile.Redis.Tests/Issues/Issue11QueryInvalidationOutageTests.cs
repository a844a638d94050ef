using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 11: a commit while Redis is unreachable could not remove its tables' tags from the query caches; the failure
/// was logged and lost, so once Redis was back the results cached before the commit (stamped with the old tag
/// versions) were served again, on this instance and on every other one, until their lifetime ended. A (through a
/// proxy that is cut) and B (direct) share a real redis-server (which keeps its data) and one SQLite database.
/// </summary>
/// <remarks>
/// Since session 6 two mechanisms share this race, each proven here in its mode (review of session 6: the query cache's
/// own retry, <c>QueryCaching.Pending</c>, no longer saw the outage, and these tests passed without it). By default
/// (<see cref="RedisStoreOptions.ThrowOnUnavailableWrites"/> off) the cache on Redis skips the removal and deletes the
/// tag's version before it uses Redis again (its fail-safe): the commit leaves nothing pending in the query cache. With
/// <see cref="RedisStoreOptions.ThrowOnUnavailableWrites"/> on, the removal throws, and the query cache keeps the tags
/// and retries them before A's next cached read, on A's next commit or in the background, as each test says.
/// </remarks>
[TestFixture(false, TestName = "Issue11QueryInvalidationOutageTests(removal skipped by the cache's fail-safe)")]
[TestFixture(true, TestName = "Issue11QueryInvalidationOutageTests(removal thrown, kept by the query cache)")]
public sealed class Issue11QueryInvalidationOutageTests(bool throwOnUnavailableWrites)
{
    [Test]
    public async Task CommitWhileRedisIsCut_NextCachedQueryOnAThenB_SeesTheNewData()
    {
        await using var setup = await Setup.StartAsync(throwOnUnavailableWrites);
        await setup.CommitDuringOutageAsync(backgroundRetry: false);
        await WaitUntilConnectedAsync(setup.Pair.A);

        Assert.That(await NamesAsync(setup.Pair.A), Is.EqualTo(new[] { "v0", "v1", "v0" }), "A retries the lost removal before reading");
        Assert.That(setup.QueryRemovalsPending, Is.False, "the read retried what the query cache kept");
        Assert.That(await NamesAsync(setup.Pair.B), Is.EqualTo(new[] { "v0", "v1", "v0" }), "and the retry reached Redis, so B drops its result too");
    }

    [Test]
    public async Task CommitWhileRedisIsCut_NothingElseHappensOnA_BSeesTheNewDataOnceAsBackgroundRetryRuns()
    {
        await using var setup = await Setup.StartAsync(throwOnUnavailableWrites);
        await setup.CommitDuringOutageAsync(backgroundRetry: true);

        await RedisBackplaneTests.WaitUntilAsync(async () => (await NamesAsync(setup.Pair.B)).SequenceEqual(["v0", "v1", "v0"]), TimeSpan.FromSeconds(20));
        Assert.That(await NamesAsync(setup.Pair.A), Is.EqualTo(new[] { "v0", "v1", "v0" }));
    }

    [Test]
    public async Task CommitWhileRedisIsCut_NextCommitOnA_RetriesTheLostRemoval()
    {
        await using var setup = await Setup.StartAsync(throwOnUnavailableWrites);
        await setup.CommitDuringOutageAsync(backgroundRetry: false);
        await WaitUntilConnectedAsync(setup.Pair.A);

        await using (var context = await setup.Pair.A.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync())
        {
            context.TenantOrders.Add(new TenantOrder { Id = 1, Number = "N1", TenantId = 1 });
            await context.SaveChangesAsync();
        }

        Assert.That(setup.QueryRemovalsPending, Is.False, "the next commit retried what the query cache kept");
        Assert.That(await NamesAsync(setup.Pair.B), Is.EqualTo(new[] { "v0", "v1", "v0" }), "A's next commit (of another table) removed the rows' tag it had lost");
    }

    private static async Task<string[]> NamesAsync(AppInstance instance)
    {
        await using var context = await instance.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync();
        return [.. (await context.Rows.OrderBy(r => r.Id).Cached().ToListAsync()).Select(static r => r.Name)];
    }

    /// <summary>
    /// Waits until A's own cache calls reach Redis again (a counter's increment: no cached query, no commit; a set would
    /// not tell, since a set Redis cannot take is skipped, not failed).
    /// </summary>
    internal static async Task WaitUntilConnectedAsync(AppInstance instance)
    {
        var cache = instance.Services.GetRequiredService<StockpileCache>();
        await RedisBackplaneTests.WaitUntilAsync(
            async () =>
            {
                try
                {
                    await cache.IncrementAsync("probe");
                    return true;
                }
                catch (Exception)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(20));
    }

    private sealed class Setup : IAsyncDisposable
    {
        private readonly RedisServer _server;
        private readonly TcpProxy _proxy;
        private readonly SqliteFileDatabase _database;

        private readonly bool _throwOnUnavailableWrites;

        private Setup(RedisServer server, TcpProxy proxy, SqliteFileDatabase database, AppPair pair, bool throwOnUnavailableWrites)
        {
            (_server, _proxy, _database, Pair, _throwOnUnavailableWrites) = (server, proxy, database, pair, throwOnUnavailableWrites);
        }

        public AppPair Pair { get; }

        /// <summary>Gets a value indicating whether A's query cache keeps tag removals to retry.</summary>
        public bool QueryRemovalsPending
        {
            get
            {
                using var context = Pair.A.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContext();
                return Stockpile.Internal.QueryCaching.Of(context).HasPending;
            }
        }

        public static async Task<Setup> StartAsync(bool throwOnUnavailableWrites)
        {
            var server = await RedisServer.StartAsync();
            var proxy = new TcpProxy(server.Port);
            var database = await SqliteFileDatabase.CreateAsync();
            await EfCoreApps.SeedAsync(database, [1, 2, 3]);
            var pair = await AppPair.StartAsync(
                RedisServer.Host + ":" + proxy.Port,
                RedisServer.Host + ":" + server.Port,
                static b => EfCoreApps.AddDatabaseTier(b.AddRedisCache()),
                EfCoreApps.Database(database),
                o =>
                {
                    TestStores.FailFast(o);
                    o.ThrowOnUnavailableWrites = throwOnUnavailableWrites;
                });
            return new Setup(server, proxy, database, pair, throwOnUnavailableWrites);
        }

        /// <summary>
        /// Both instances cache the query; A renames row 2 while its Redis is cut; the proxy is restored. Without
        /// <paramref name="backgroundRetry"/>, the query cache's background retry waits an hour, so only the path under
        /// test retries what it kept (the cache's own fail-safe, by default the one that keeps the removal, recovers
        /// as soon as Redis answers either way).
        /// </summary>
        public async Task CommitDuringOutageAsync(bool backgroundRetry)
        {
            await using (var context = await Pair.A.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync())
            {
                Stockpile.Internal.QueryCaching.Of(context).FirstRetryDelay = backgroundRetry ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromHours(1);
            }

            Assert.That(await NamesAsync(Pair.A), Is.EqualTo(new[] { "v0", "v0", "v0" }));
            Assert.That(await NamesAsync(Pair.B), Is.EqualTo(new[] { "v0", "v0", "v0" }));

            _proxy.Cut();
            await EfCoreApps.RenameAsync(Pair.A, 2, "v1");
            Assert.That(QueryRemovalsPending, Is.EqualTo(_throwOnUnavailableWrites), "the query cache keeps the removal only when the cache on Redis threw it");
            _proxy.Restore();
        }

        public async ValueTask DisposeAsync()
        {
            await Pair.DisposeAsync();
            await _database.DisposeAsync();
            await _proxy.DisposeAsync();
            await _server.DisposeAsync();
        }
    }
}
