using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Cluster;
using Stockpile.Redis.Tests.EfCore;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Torture cases 1, 2 and 5 (issue 12): two instances read and write the same rows concurrently, on one Redis server or
/// the three-master cluster, over SQLite or PostgreSQL; commits, rollbacks, savepoints and (PostgreSQL)
/// <c>TransactionScope</c>s mixed with reads that land between a save and its commit. No read returns a state older
/// than a write that returned before it began, nor a rolled-back state; once quiet, every tier of both instances
/// equals the database. And the window between <c>UPDATE</c> and <c>COMMIT</c>, held open deterministically.
/// </summary>
[Category("Torture")]
[NonParallelizable]
public sealed class ConcurrencyTortureTests
{
    /// <summary>Server and cluster, SQLite and PostgreSQL, evict and write-through: two of the four in the short form, all in the soak.</summary>
    public static IEnumerable<TestCaseData> RandomCases => TortureSettings.Cases(
        [
            new(false, TortureDatabaseKind.Sqlite, StockpileCommitPolicy.Evict),
            new(true, TortureDatabaseKind.PostgreSql, StockpileCommitPolicy.WriteThrough),
            new(false, TortureDatabaseKind.PostgreSql, StockpileCommitPolicy.WriteThrough),
            new(true, TortureDatabaseKind.Sqlite, StockpileCommitPolicy.Evict),
        ],
        0,
        1);

    [TortureReplay]
    [TestCaseSource(nameof(RandomCases))]
    public async Task RandomReadsAndWrites_TwoInstances_NothingStaleNorLost(bool cluster, TortureDatabaseKind kind, StockpileCommitPolicy policy)
    {
        var ids = TortureApps.Ids();
        await using var database = await TortureDatabase.CreateAsync(kind, ids);
        var window = new CommitWindow();
        var (redisA, redisB) = await RedisOfAsync(cluster);
        await using var pair = await TortureApps.StartAsync(redisA, redisB, database, window, failFast: false, policy);
        var workload = new TortureWorkload([pair.A, pair.B], database, ids, TortureApps.Seed());

        await workload.RunAsync(TortureSettings.Workers, TortureSettings.Rounds);

        var settled = await workload.VerifyAsync();
        workload.AssertClean($"random reads and writes ({(cluster ? "cluster" : "server")}, {kind}, {policy})", settled);
        Assert.That(window.Commits, Is.GreaterThan(0), "commits went through the window");
    }

    /// <summary>
    /// The writer's rows are written but not committed (EF Core's own transaction held before <c>COMMIT</c>, or the
    /// caller's explicit one open) while both instances load the row from the database and back-fill it. Once the
    /// commit returns, no tier of the writer's instance, nor Redis, holds the old value; the other instance's memory
    /// drops it (backplane) without another write. With the eviction behind the save
    /// (<see cref="StockpileOptions.EvictSharedTiersInBackground"/>, the default) the writer's reads have the commit at
    /// once, and Redis drops the old value once the eviction behind the save has ended.
    /// </summary>
    [TestCase(TortureDatabaseKind.Sqlite, false, StockpileCommitPolicy.Evict, false)]
    [TestCase(TortureDatabaseKind.Sqlite, false, StockpileCommitPolicy.Evict, true)]
    [TestCase(TortureDatabaseKind.Sqlite, true, StockpileCommitPolicy.WriteThrough, false)]
    [TestCase(TortureDatabaseKind.PostgreSql, false, StockpileCommitPolicy.WriteThrough, false)]
    [TestCase(TortureDatabaseKind.PostgreSql, true, StockpileCommitPolicy.Evict, false)]
    [TestCase(TortureDatabaseKind.PostgreSql, true, StockpileCommitPolicy.Evict, true)]
    public async Task ReadersLoadBetweenUpdateAndCommit_NoOldValueOutlivesTheCommit(TortureDatabaseKind kind, bool explicitTransaction, StockpileCommitPolicy policy, bool evictInBackground)
    {
        await using var database = await TortureDatabase.CreateAsync(kind, [1]);
        var window = new CommitWindow();
        await using var pair = await TortureApps.StartAsync(RedisTestEnvironment.ConnectionString, RedisTestEnvironment.ConnectionString, database, window, failFast: false, policy, evictInBackground: evictInBackground);
        var (a, b) = (pair.A, pair.B);
        var committed = TortureNames.Committed(1);

        await using var context = await a.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync();
        var transaction = explicitTransaction ? await context.Database.BeginTransactionAsync() : null;

        // A save of one statement runs without a transaction (autocommit, no window to hold): ask for EF Core's own.
        context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        (await context.Rows.SingleAsync(r => r.Id == 1)).Name = committed;
        TaskCompletionSource? gate = null;
        var save = Task.CompletedTask;
        if (transaction is null)
        {
            var held = window.HoldNext();
            save = context.SaveChangesAsync();
            gate = await held.WaitAsync(TimeSpan.FromSeconds(30));
        }
        else
        {
            await context.SaveChangesAsync();
        }

        // In the window: the row is updated, not committed. Readers on both instances load it from the database (the
        // committed old value) and back-fill memory and Redis.
        var inWindow = new[]
        {
            (await b.Chain.GetAsync<Row, int>(1))?.Name,
            (await a.Chain.GetAsync<Row, int>(1))?.Name,
            (await b.Chain.GetAsync<Row>(EntityKey.Of<Row>(nameof(Row.Code), "R1")))?.Name,
        };
        Assert.That(inWindow, Is.All.EqualTo(TortureNames.Committed(0)), "readers in the window see the committed state");
        Assert.That((await b.Redis.GetAsync<Row, int>(1))?.Name, Is.Null.Or.EqualTo(TortureNames.Committed(0)));

        if (gate is not null)
        {
            gate.SetResult();
            await save;
        }
        else
        {
            await transaction!.CommitAsync();
            await transaction.DisposeAsync();
        }

        Assert.Multiple(async () =>
        {
            Assert.That((await a.Memory.GetAsync<Row, int>(1))?.Name, Is.Null.Or.EqualTo(committed), "A's memory");
            if (evictInBackground)
            {
                Assert.That((await a.Chain.GetAsync<Row, int>(1))?.Name, Is.EqualTo(committed), "A's next read, Redis's eviction perhaps still behind the save");
                Assert.That(await a.Chain.SettleAsync(CancellationToken.None), Is.True, "the eviction behind the save ends");
            }

            Assert.That((await a.Redis.GetAsync<Row, int>(1))?.Name, Is.Null.Or.EqualTo(committed), "Redis");
            Assert.That((await a.Chain.GetAsync<Row, int>(1))?.Name, Is.EqualTo(committed), "A's next read");
        });
        var delay = await TortureWaits.UntilAsync(async () => (await b.Chain.GetAsync<Row, int>(1))?.Name == committed, TimeSpan.FromSeconds(10), "B reads the commit");
        Assert.That((await b.Memory.GetAsync<Row, int>(1))?.Name, Is.Null.Or.EqualTo(committed), "B's memory");
        Assert.That((await b.Chain.GetAsync<Row>(EntityKey.Of<Row>(nameof(Row.Code), "R1")))?.Name, Is.EqualTo(committed), "B by alternate key");
        TestContext.Progress.WriteLine($"torture commit window ({kind}, {policy}, {(explicitTransaction ? "explicit transaction" : "SaveChanges' own transaction")}, {(evictInBackground ? "Redis evicted behind the save" : "Redis evicted before the save returned")}): 3 reads in the window, B read the commit {delay.TotalMilliseconds:0} ms after it returned");
    }

    private static async Task<(string A, string B)> RedisOfAsync(bool cluster)
    {
        if (!cluster)
        {
            return (RedisTestEnvironment.ConnectionString, RedisTestEnvironment.ConnectionString);
        }

        var (nodes, _) = await RedisClusterEnvironment.GetAsync();
        return (nodes.Nodes[0].ConnectionString, nodes.Nodes[1].ConnectionString);
    }
}
