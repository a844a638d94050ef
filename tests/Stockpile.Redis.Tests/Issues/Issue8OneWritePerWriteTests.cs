using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 8: a chain put or delete through the EF Core tier costs one SaveChanges, one write (or eviction) per cache
/// tier and one backplane message, though the tier's contexts carry the SaveChanges interceptor (as the docs register
/// them): the interceptor leaves the store's own saves to the chain. Counted on a private redis-server.
/// </summary>
[NonParallelizable]
public sealed class Issue8OneWritePerWriteTests : PrivateRedisServerFixture
{
    private static long Calls(Dictionary<string, long> stats, string command) => stats.TryGetValue(command, out var calls) ? calls : 0;

    [Test]
    public async Task ChainPutAndDelete_ThroughTheEfCoreTier_OneSaveOneScriptOnePublishEach()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1]);
        var saves = new SaveCounter();
        await using var pair = await AppPair.StartAsync(_redis.ConnectionString, EfCoreApps.AddDatabaseTier, services => services.AddDbContextFactory<RowDbContext>((sp, o) =>
        {
            database.Configure(o);
            o.AddInterceptors(saves);
            o.AddStockpileInterceptor(sp);
        }), o => o.EvictOtherKeyLayout = false); // one script per write: the other layout's eviction (one more, pipelined with a put) is Issue9ShortKeyTests' subject
        var (a, b) = (pair.A, pair.B);

        // Warm up: the scripts are loaded (EVAL once), so what is counted is the steady state.
        await a.Chain.PutAsync(new Row { Id = 2, Code = "R2", Name = "warm" });
        await a.Chain.DeleteAsync(EntityKey.For<Row>(2));
        var row = await a.Chain.GetAsync<Row, int>(1);
        await b.Chain.GetAsync<Row, int>(1);

        // The reads' Redis back-fills follow their answers: they must land before the counting starts (one that landed
        // after the reset was counted as a second script, with the back-fill script's first load).
        Assert.That(await a.Chain.SettleAsync(CancellationToken.None) && await b.Chain.SettleAsync(CancellationToken.None), Is.True, "the warm-up's back-fills land");
        saves.Reset();
        await RedisCommandStats.ResetAsync(_redis.Port);

        await a.Chain.PutAsync(new Row { Id = 1, Code = row!.Code, Name = "put" });

        var stats = await RedisCommandStats.ReadAsync(_redis.Port);
        Assert.That(saves.Count, Is.EqualTo(1), "SaveChanges per put");
        Assert.That(Calls(stats, "evalsha") + Calls(stats, "eval"), Is.EqualTo(1), $"Redis scripts per put: {string.Join(", ", stats)}");
        Assert.That(Calls(stats, "publish"), Is.EqualTo(1), $"backplane messages per put: {string.Join(", ", stats)}");
        await RedisBackplaneTests.WaitUntilAsync(async () => (await b.Chain.GetAsync<Row, int>(1))?.Name == "put");
        await b.Chain.SettleAsync(CancellationToken.None);

        saves.Reset();
        await RedisCommandStats.ResetAsync(_redis.Port);

        Assert.That(await a.Chain.DeleteAsync(EntityKey.For<Row>(1)), Is.True);

        stats = await RedisCommandStats.ReadAsync(_redis.Port);
        Assert.That(saves.Count, Is.EqualTo(1), "SaveChanges per delete");
        Assert.That(Calls(stats, "evalsha") + Calls(stats, "eval"), Is.EqualTo(1), $"Redis scripts per delete: {string.Join(", ", stats)}");
        Assert.That(Calls(stats, "publish"), Is.EqualTo(1), $"backplane messages per delete: {string.Join(", ", stats)}");
        await RedisBackplaneTests.WaitUntilAsync(async () => await b.Chain.GetAsync<Row, int>(1) is null);
        await using var check = database.CreateContext();
        Assert.That(await check.Rows.AnyAsync(r => r.Id == 1), Is.False);
    }
}
