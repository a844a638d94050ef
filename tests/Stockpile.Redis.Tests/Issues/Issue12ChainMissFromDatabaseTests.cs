using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 3 (a miss served from the database within 1.1x each peer): a chain read that missed memory and
/// Redis and was answered by the database waited for two Redis round trips, the read (with <c>TIME</c> pipelined for
/// the lease) and the back-fill's put script. Now the caller gets the row when the database answered and the memory
/// tier is filled; the Redis back-fill follows in the background, still checked against the read's lease, so a write
/// that lands first is never overwritten by the older row. Round trips are counted on a private redis-server
/// (<c>INFO commandstats</c>) while its writes are paused (<c>CLIENT PAUSE … WRITE</c>).
/// </summary>
[NonParallelizable]
public sealed class Issue12ChainMissFromDatabaseTests : PrivateRedisServerFixture
{
    [Test]
    public async Task GetAsync_MissServedFromDatabase_AnswersAfterOneRedisRoundTrip_BackfillFollows()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1, 2]);
        await using var app = await AppInstance.StartAsync(_redis.ConnectionString, TestStores.UniquePrefix(), EfCoreApps.AddDatabaseTier, services =>
        {
            EfCoreApps.Database(database)(services);
            services.AddOptions<StockpileOptions>().Configure(o => o.BackfillSharedTiersInBackground = true);
        });

        // Warm up: the put script is loaded, so what is counted is the steady state.
        Assert.That((await app.Chain.GetAsync<Row, int>(2))?.Name, Is.EqualTo("v0"));
        Assert.That(await app.Chain.SettleAsync(default), Is.True);
        await RedisCommandStats.ResetAsync(_redis.Port);

        await RedisCommandStats.PauseWritesAsync(_redis.Port);
        Dictionary<string, long> answered;
        try
        {
            // Behind the pause a back-fill the caller waited for would time out (logged as BackfillFailed).
            var row = await app.Chain.GetAsync<Row, int>(1);
            answered = await RedisCommandStats.ReadAsync(_redis.Port);

            Assert.That(row?.Name, Is.EqualTo("v0"));
            Assert.That(app.Chain.BackgroundBackfills, Is.EqualTo(1), "the Redis back-fill is still under way when the caller has the row");
            Assert.That(app.Count("BackfillFailed"), Is.Zero, "the caller did not wait for the Redis back-fill");
            Assert.That((await app.Memory.GetAsync<Row, int>(1))?.Name, Is.EqualTo("v0"), "the memory back-fill is done before the caller gets the row");
        }
        finally
        {
            await RedisCommandStats.UnpauseAsync(_redis.Port);
        }

        // The lease comes from the store's clock (fed by the warm-up's back-fill), or from TIME pipelined with the read
        // when the clock saw no server time within the last second (a slow moment on a busy machine): one round trip either way.
        Assert.That(RedisCommandStats.Calls(answered, "get", "mget"), Is.EqualTo(1), $"one read: {string.Join(", ", answered)}");
        Assert.That(RedisCommandStats.Calls(answered, "time"), Is.LessThanOrEqualTo(1), $"at most its clock, pipelined: {string.Join(", ", answered)}");
        Assert.That(RedisCommandStats.Calls(answered, "evalsha", "eval"), Is.Zero, $"no script had run when the caller got its row: {string.Join(", ", answered)}");
        Assert.That(await app.Chain.SettleAsync(default), Is.True, "the background back-fill ends");
        var settled = await RedisCommandStats.ReadAsync(_redis.Port);
        Assert.That(RedisCommandStats.Calls(settled, "evalsha", "eval"), Is.EqualTo(1), $"one put script, after the answer: {string.Join(", ", settled)}");
        Assert.That((await app.Redis.GetAsync<Row, int>(1))?.Name, Is.EqualTo("v0"), "the row reached Redis after its caller had it");
        Assert.That(app.Count("BackfillFailed"), Is.Zero);
    }

    [Test]
    public async Task GetAsync_WriteLandsBeforeTheBackgroundBackfill_NeverOverwrittenByTheOlderRow([Values] bool sameInstance)
    {
        await using var set = await BackgroundBackfillChain.StartAsync();
        var (faulty, other, database, memory, chain) = (set.Faulty!, set.Other, set.Database, set.Memory, set.Chain);
        var old = await set.SeedAsync("old");

        // The caller gets the row from the database while its Redis back-fill is held before it reaches Redis.
        var (reached, release) = faulty.HoldNext("ScriptEvaluateAsync");
        var read = chain.GetAsync<Product, int>(old.Id).AsTask();
        Assert.That(await Task.WhenAny(reached, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(reached), () => $"the back-fill's script was not sent: {string.Join(", ", faulty.Commands)}");
        Assert.That((await read.WaitAsync(TimeSpan.FromSeconds(30)))?.Name, Is.EqualTo("old"), "answered while the back-fill is held");

        // A write lands in Redis (and the database) after the caller got the row, before the back-fill.
        var renamed = new Product { Id = old.Id, Sku = old.Sku, Name = "new", Price = old.Price };
        if (sameInstance)
        {
            await chain.PutAsync(renamed);
        }
        else
        {
            await database.PutAsync(renamed);
            await other.DeleteAsync(EntityKey.For<Product>(old.Id));
        }

        release.SetResult();
        Assert.That(await chain.SettleAsync(default), Is.True);

        Assert.That((await other.GetAsync<Product, int>(old.Id))?.Name, Is.Null, "the lease refused the older row, and the refusal evicts: a miss, never the older row");
        Assert.That((await other.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), old.Sku)))?.Name, Is.Not.EqualTo("old"));
        await memory.ClearAsync();
        Assert.That((await chain.GetAsync<Product, int>(old.Id))?.Name, Is.EqualTo("new"));
    }

    [Test]
    public async Task GetAsync_BackgroundBackfillFails_IsSkippedAndLogged_TheReadSucceeds()
    {
        using var logs = new Stockpile.Testing.Logging.CapturingLoggerProvider();
        using var loggerFactory = logs.CreateFactory();
        await using var set = await BackgroundBackfillChain.StartAsync(loggerFactory: loggerFactory);
        var (faulty, redis, chain) = (set.Faulty!, set.Redis, set.Chain);
        var row = await set.SeedAsync("row");

        var (reached, release) = faulty.HoldNext("ScriptEvaluateAsync");
        var read = chain.GetAsync<Product, int>(row.Id).AsTask();
        Assert.That(await Task.WhenAny(reached, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(reached), () => $"the back-fill's script was not sent: {string.Join(", ", faulty.Commands)}");
        Assert.That(await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(read), () => string.Join(Environment.NewLine, logs.Entries));
        Assert.That((await read)?.Name, Is.EqualTo("row"));
        faulty.Fault = FaultyRedis.Down;
        release.SetResult();
        Assert.That(await chain.SettleAsync(default), Is.False, "the write Redis missed is remembered for the clean-up");
        faulty.Fault = null;

        // As a back-fill the caller waited for: Redis being away skips the write, logs it and keeps its keys for the
        // clean-up, which removes them once Redis answers (whatever part of the write may have landed).
        Assert.That(logs.Entries.Count(e => e.EventId.Name == "WriteSkipped"), Is.EqualTo(1), "the background failure is logged, not lost");
        Assert.That(await chain.SettleAsync(default), Is.True, "the clean-up ran");
        Assert.That(await redis.GetAsync<Product, int>(row.Id), Is.Null);
        Assert.That((await chain.GetAsync<Product, int>(row.Id))?.Name, Is.EqualTo("row"), "memory kept its back-fill");
    }
}
