using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>Issue 8: an <c>ExecuteUpdate</c> committed on instance A drops the type (or, with a key predicate, exactly those keys) from every tier of every instance: Redis, and B's memory through the backplane.</summary>
[NonParallelizable]
public sealed class Issue8BulkUpdateBackplaneTests
{
    [Test]
    public async Task ExecuteUpdateOnA_BReadsTheNewState()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2]);
        await using var pair = await EfCoreApps.StartPairAsync(RedisTestEnvironment.ConnectionString, database);
        var (a, b) = (pair.A, pair.B);
        await b.Chain.GetManyAsync<Row, int>([1, 2]);
        Assert.That(await b.Chain.SettleAsync(CancellationToken.None), Is.True, "the Redis back-fill follows the answer");
        Assert.That(await b.Memory.GetAsync<Row, int>(1), Is.Not.Null, "B holds the rows in memory");

        await using (var context = await a.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync())
        {
            Assert.That(await context.Rows.Where(r => r.Id <= 2).ExecuteUpdateAsync(s => s.SetProperty(r => r.Name, "bulk")), Is.EqualTo(2));
        }

        Assert.That(await a.Redis.GetAsync<Row, int>(1), Is.Null, "Redis dropped the type");
        await RedisBackplaneTests.WaitUntilAsync(async () => (await b.Chain.GetAsync<Row, int>(2))?.Name == "bulk");
        Assert.That((await b.Chain.GetAsync<Row, int>(1))?.Name, Is.EqualTo("bulk"));
    }

    [Test]
    public async Task ExecuteUpdateByKeyOnA_EveryTierOfEveryInstanceDropsThatRowOnly()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2]);
        await using var pair = await EfCoreApps.StartPairAsync(RedisTestEnvironment.ConnectionString, database);
        var (a, b) = (pair.A, pair.B);
        await b.Chain.GetManyAsync<Row, int>([1, 2]);
        Assert.That(await b.Chain.SettleAsync(CancellationToken.None), Is.True, "the Redis back-fill follows the answer: Redis holds both rows before the statement");
        var id = 1;

        await using (var context = await a.Services.GetRequiredService<IDbContextFactory<RowDbContext>>().CreateDbContextAsync())
        {
            Assert.That(await context.Rows.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Name, "bulk")), Is.EqualTo(1));
        }

        Assert.That(await a.Chain.SettleAsync(CancellationToken.None), Is.True, "Redis's eviction follows the statement (EvictSharedTiersInBackground, the default)");
        Assert.That(await a.Redis.GetAsync<Row, int>(1), Is.Null, "Redis dropped the row the statement changed");
        Assert.That(await a.Redis.GetAsync<Row, int>(2), Is.Not.Null, "Redis keeps the row the statement did not touch");
        await RedisBackplaneTests.WaitUntilAsync(async () => await b.Memory.GetAsync<Row, int>(1) is null);
        Assert.That(await b.Memory.GetAsync<Row, int>(2), Is.Not.Null, "B's memory keeps the row the statement did not touch");
        Assert.That((await b.Chain.GetAsync<Row, int>(1))?.Name, Is.EqualTo("bulk"));
    }
}
