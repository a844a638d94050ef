using StackExchange.Redis;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Tokens;

/// <summary>
/// Tokens on a private redis-server that is flushed, stopped or cut off: losing the data changes every key (never a
/// stale hit), an unreachable Redis gives never-used keys (a miss, never an exception), and a token change that could
/// not reach Redis is made before this instance builds another key.
/// </summary>
[NonParallelizable]
public sealed class RedisTokenOutageTests
{
    [Test]
    public async Task BuildAsync_AfterFlushAll_EveryKeyChanges_AndNothingCachedUnderTheOldKeyIsServed()
    {
        await using var server = await RedisServer.StartAsync();
        await using var app = RedisTokenApp.Start(server.ConnectionString, TestStores.UniquePrefix());
        var key = StockpileKey.For("page").WithId<Product>(7).WithType<Customer>().WithGlobal();
        var before = await app.Keys.BuildAsync(key);
        await app.Cache.SetAsync(before, "rendered before the flush");

        await using (var admin = await ConnectionMultiplexer.ConnectAsync(RedisTestEnvironment.CreateOptions(server.ConnectionString)))
        {
            await admin.GetServers()[0].FlushAllDatabasesAsync();
        }

        var after = await app.Keys.BuildAsync(key);
        var rendered = await app.Cache.GetOrCreateAsync(after, 0, static (_, _) => new ValueTask<string>("rendered after the flush"));

        Assert.That(after, Is.Not.EqualTo(before), "a lost token is made with a new random value, never its old one");
        Assert.That(rendered, Is.EqualTo("rendered after the flush"));
        Assert.That(await app.Keys.BuildAsync(key), Is.EqualTo(after), "the new tokens are kept");
    }

    [Test]
    public async Task BuildAsync_RedisStopped_NeverUsedKeys_NoException_ThenNormalKeysAfterRestart()
    {
        await using var server = await RedisServer.StartAsync();
        await using var app = RedisTokenApp.Start(server.ConnectionString, TestStores.UniquePrefix(), TestStores.FailFast);
        var key = StockpileKey.For("page").WithId<Product>(7);
        var before = await app.Keys.BuildAsync(key);
        await app.Cache.SetAsync(before, "cached while up");

        await server.StopAsync();
        var down1 = await app.Keys.BuildAsync(key);
        var down2 = await app.Keys.BuildAsync(key);
        var factoryRuns = 0;
        var value = await app.Cache.GetOrCreateAsync(down2, 0, (_, _) => new ValueTask<string>($"made {++factoryRuns}"));

        Assert.That(down1, Does.StartWith("page:~"));
        Assert.That(down2, Is.Not.EqualTo(down1).And.Not.EqualTo(before));
        Assert.That(value, Is.EqualTo("made 1"), "the read is a miss");

        await server.StartAgainAsync();
        var up = await WaitForNormalKeyAsync(app.Keys, key);
        Assert.That(up, Is.Not.EqualTo(before), "the restarted server lost the tokens: the key changed");
        Assert.That(await app.Keys.BuildAsync(key), Is.EqualTo(up));
    }

    [Test]
    public async Task InvalidateAsync_RedisCutOff_Throws_ThenTheChangeIsMadeBeforeTheNextKey()
    {
        await using var server = await RedisServer.StartAsync();
        await using var proxy = new TcpProxy(server.Port);
        await using var a = RedisTokenApp.Start($"{RedisServer.Host}:{proxy.Port}", TestStores.UniquePrefix(), TestStores.FailFast);
        var key = StockpileKey.For("page").WithId<Product>(7);
        var before = await a.Keys.BuildAsync(key);

        proxy.Cut();
        Assert.That(async () => await a.Keys.InvalidateAsync(StockpileKey.For("commit").WithId<Product>(7)), Throws.Exception);
        var whileCut = await a.Keys.BuildAsync(key);
        proxy.Restore();

        // Redis kept its data (the old token) and never saw the change: only the retried change keeps the old key from being served again.
        var after = await WaitForNormalKeyAsync(a.Keys, key);
        Assert.That(whileCut, Does.StartWith("page:~"));
        Assert.That(after, Is.Not.EqualTo(before));
    }

    /// <summary>Builds the key until Redis answers again (the breaker lets a probe through after its break).</summary>
    private static async Task<string> WaitForNormalKeyAsync(IStockpileKeyBuilder keys, StockpileKey key)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var built = await keys.BuildAsync(key);
            if (!built.StartsWith("page:~", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return built;
            }

            await Task.Delay(50);
        }
    }
}
