using System.Text;
using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Torture;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9 (fail-safe, consistency), the cache's side of the write stamp (lane gaps7): a cache's <c>SET</c> written to
/// a socket StackExchange.Redis then gives up on can reach the server after its caller saw the failure, and after a
/// newer set or a remove of the key by another instance: it overwrote the newer value, or brought back the removed one,
/// until its lifetime ended. Now a set carries the server time it was sent, every set and removal fences its key, and a
/// set arriving late is written only if nothing fenced the key (nor flushed the namespace) after its stamp; otherwise
/// it removes the key (a miss is always safe). Instance A reaches Redis through proxies that hold A's bytes, drop A's
/// end of the connection and deliver the bytes later.
/// </summary>
[NonParallelizable]
public sealed class Issue9CacheLateSetTests
{
    [TestCase(false, TestName = "LateSet_AfterAnotherInstanceSetANewerValue_DoesNotOverwriteIt(server)")]
    [TestCase(true, TestName = "LateSet_AfterAnotherInstanceSetANewerValue_DoesNotOverwriteIt(cluster)")]
    public Task LateSet_AfterAnotherInstanceSetANewerValue_DoesNotOverwriteIt(bool cluster) =>
        OvertakenAsync(cluster, static async (b, key) => await b.SetAsync(key, "v2"));

    [TestCase(false, TestName = "LateSet_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(server)")]
    [TestCase(true, TestName = "LateSet_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(cluster)")]
    public Task LateSet_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(bool cluster) =>
        OvertakenAsync(cluster, static async (b, key) => Assert.That(await b.RemoveAsync(key), Is.True));

    [Test]
    public Task LateSet_AfterAnotherInstanceFlushed_IsNotWritten() =>
        OvertakenAsync(cluster: false, static async (b, _) => await b.FlushAsync());

    /// <summary>An add finds no live entry after the remove: without the stamp check, the late add brought the value back.</summary>
    [TestCase(false, TestName = "LateAdd_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(server)")]
    [TestCase(true, TestName = "LateAdd_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(cluster)")]
    public Task LateAdd_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(bool cluster) =>
        HoldAndReleaseAsync(
            cluster,
            static async (b, key) => Assert.That(await b.RemoveAsync(key), Is.False, "A removed it before its add"),
            static async (b, key, late) => Assert.That(await b.GetAsync<string>(key), Is.Not.EqualTo(late), "the late add brought the key back"),
            add: true);

    [TestCase(false, TestName = "LateSet_NothingOvertookIt_IsWritten(server)")]
    [TestCase(true, TestName = "LateSet_NothingOvertookIt_IsWritten(cluster)")]
    public Task LateSet_NothingOvertookIt_IsWritten(bool cluster) =>
        // The check must not refuse every late set: one that nothing overtook is written, though it came late.
        HoldAndReleaseAsync(cluster, static (_, _) => Task.CompletedTask, static async (b, key, late) =>
            Assert.That(await b.GetAsync<string>(key), Is.EqualTo(late)));

    /// <summary>
    /// A's set of the late value is held, A loses its connection and stops (nothing of A's, such as the clean-up of its
    /// skipped write, removes the late set), B overtakes it, then the held bytes land: B must not read the late value.
    /// </summary>
    private static Task OvertakenAsync(bool cluster, Func<StockpileCache, string, Task> overtake) =>
        HoldAndReleaseAsync(cluster, overtake, static async (b, key, late) =>
            Assert.That(await b.GetAsync<string>(key), Is.Not.EqualTo(late), "the late set overwrote a newer write"));

    /// <summary>Holds A's set of a late value, loses A, lets B <paramref name="overtake"/>, delivers the held bytes, then runs <paramref name="check"/> with B.</summary>
    private static async Task HoldAndReleaseAsync(bool cluster, Func<StockpileCache, string, Task> overtake, Func<StockpileCache, string, string, Task> check, bool add = false)
    {
        await using var redis = await CuttableRedis.StartAsync(cluster);
        var prefix = TestStores.UniquePrefix();
        var aConnection = await ConnectAsync(redis.ForA, redis.Tunnel);
        await using var bConnection = await ConnectAsync(redis.ForB, null);
        var a = Create(aConnection, prefix);
        await using var b = Create(bConnection, prefix);
        var key = "k-" + Guid.NewGuid().ToString("N");
        var late = "late-" + Guid.NewGuid().ToString("N");
        await a.SetAsync(key, "v0");
        Assert.That(await b.GetAsync<string>(key), Is.EqualTo("v0"));

        // Every node knows the set script, so the late EVALSHA runs (a NOSCRIPT answer would pass the test for nothing).
        foreach (var node in bConnection.GetServers().Where(static s => !s.IsReplica))
        {
            await node.ScriptLoadAsync(add ? RedisCacheScripts.Add : RedisCacheScripts.Set);
        }

        if (add)
        {
            Assert.That(await a.RemoveAsync(key), Is.True);
        }

        redis.Hold();
        if (add)
        {
            Assert.That(await a.AddAsync(key, late), Is.False, "A's caller gave up on the add");
        }
        else
        {
            await a.SetAsync(key, late);
        }

        Assert.That(redis.Holds(Encoding.UTF8.GetBytes(late)), Is.True, "the set's bytes are held on their way to Redis");

        redis.Sever();
        redis.Cut();
        await a.DisposeAsync();
        await aConnection.DisposeAsync();
        await overtake(b, key);

        await redis.ReleaseAsync();
        await check(b, key, late);
    }

    private static StockpileCache Create(IConnectionMultiplexer connection, string prefix) =>
        RedisCacheFactory.Create(new StockpileCacheOptions(), _ => new(connection), prefix, RedisCacheLayout.RedisOnly, out _);

    private static async Task<ConnectionMultiplexer> ConnectAsync(string configuration, StackExchange.Redis.Configuration.Tunnel? tunnel)
    {
        var options = RedisTestEnvironment.FastReconnecting(configuration);
        options.Tunnel = tunnel;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}
