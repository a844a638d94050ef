using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>
/// Issue 11: two app instances with their invalidation tokens on one Redis (a server, or two nodes of the cluster) and
/// one SQLite database. A commit on A changes B's keys for the row, its type and everything, so B's value cached under
/// the old key is never served again; a rollback on A changes nothing.
/// </summary>
[NonParallelizable]
public sealed class InvalidationTokenEfCoreTests
{
    private static async Task<AppPair> StartAsync(bool cluster, SqliteFileDatabase database)
    {
        static void AddTiers(IStockpileBuilder builder)
        {
            EfCoreApps.AddDatabaseTier(builder);
            builder.AddCache().AddRedisInvalidationTokens();
        }

        if (!cluster)
        {
            return await AppPair.StartAsync(RedisTestEnvironment.ConnectionString, AddTiers, EfCoreApps.Database(database));
        }

        var (nodes, _) = await Cluster.RedisClusterEnvironment.GetAsync();
        return await AppPair.StartAsync(nodes.Nodes[0].ConnectionString, nodes.Nodes[1].ConnectionString, AddTiers, EfCoreApps.Database(database));
    }

    /// <summary>Renders row 1 on an instance, cached in its process memory under a token key.</summary>
    private static async Task<string> RenderAsync(AppInstance instance)
    {
        var keys = instance.Services.GetRequiredService<IStockpileKeyBuilder>();
        var cache = instance.Services.GetRequiredService<IStockpileCache>();
        var key = await keys.BuildAsync(StockpileKey.For("row-page").WithId<Row>(1));
        return await cache.GetOrCreateAsync(key, instance, static async (app, ct) =>
        {
            await using var context = await app.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync(ct);
            return "page of " + (await context.Rows.AsNoTracking().SingleAsync(r => r.Id == 1, ct)).Name;
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task CommitOnA_ChangesBsKeys_BsNextRenderSeesTheNewData(bool cluster)
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2]);
        await using var pair = await StartAsync(cluster, database);
        var (a, b) = (pair.A, pair.B);
        var keysOfB = b.Services.GetRequiredService<IStockpileKeyBuilder>();
        StockpileKey[] keys = [StockpileKey.For("p").WithId<Row>(1), StockpileKey.For("l").WithType<Row>(), StockpileKey.For("g").WithGlobal(), StockpileKey.For("p").WithId<Row>(2)];
        var before = await Task.WhenAll(keys.Select(k => keysOfB.BuildAsync(k).AsTask()));
        Assert.That(await RenderAsync(b), Is.EqualTo("page of v0"));
        Assert.That(await RenderAsync(b), Is.EqualTo("page of v0"));

        await EfCoreApps.RenameAsync(a, 1, "renamed on A");

        var after = await Task.WhenAll(keys.Select(k => keysOfB.BuildAsync(k).AsTask()));
        Assert.That(await RenderAsync(b), Is.EqualTo("page of renamed on A"));
        Assert.That(after[0], Is.Not.EqualTo(before[0]));
        Assert.That(after[1], Is.Not.EqualTo(before[1]));
        Assert.That(after[2], Is.Not.EqualTo(before[2]));
        Assert.That(after[3], Is.EqualTo(before[3]), "row 2 was not committed");
        Assert.That(await a.Services.GetRequiredService<IStockpileKeyBuilder>().BuildAsync(keys[0]), Is.EqualTo(after[0]), "both instances build the same key");
    }

    [Test]
    public async Task RollbackOnA_ChangesNoKeyOfB()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1]);
        await using var pair = await StartAsync(cluster: false, database);
        var keysOfB = pair.B.Services.GetRequiredService<IStockpileKeyBuilder>();
        StockpileKey[] keys = [StockpileKey.For("p").WithId<Row>(1), StockpileKey.For("l").WithType<Row>(), StockpileKey.For("g").WithGlobal()];
        var before = await Task.WhenAll(keys.Select(k => keysOfB.BuildAsync(k).AsTask()));
        Assert.That(await RenderAsync(pair.B), Is.EqualTo("page of v0"));

        await using (var context = await pair.A.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            (await context.Rows.SingleAsync(r => r.Id == 1)).Name = "rolled back";
            await context.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.That(await Task.WhenAll(keys.Select(k => keysOfB.BuildAsync(k).AsTask())), Is.EqualTo(before));
        Assert.That(await RenderAsync(pair.B), Is.EqualTo("page of v0"));
    }
}
