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

    /// <summary>
    /// A flush fences the namespace, not each key. On a cluster the namespace's flush fence lives in another slot than
    /// the entry, so a flush fences every slot too (lane gaps8), and a late set reads its own slot's.
    /// </summary>
    [TestCase(false, TestName = "LateSet_AfterAnotherInstanceFlushed_IsNotWritten(server)")]
    [TestCase(true, TestName = "LateSet_AfterAnotherInstanceFlushed_IsNotWritten(cluster)")]
    public Task LateSet_AfterAnotherInstanceFlushed_IsNotWritten(bool cluster) =>
        OvertakenAsync(cluster, static async (b, _) => await b.FlushAsync());

    /// <summary>An increment fences the key too (lane gaps8): a late set must not wipe out a count made after it was sent.</summary>
    [TestCase(false, TestName = "LateSet_AfterAnotherInstanceIncremented_DoesNotOverwriteTheCount(server)")]
    [TestCase(true, TestName = "LateSet_AfterAnotherInstanceIncremented_DoesNotOverwriteTheCount(cluster)")]
    public Task LateSet_AfterAnotherInstanceIncremented_DoesNotOverwriteTheCount(bool cluster) =>
        HoldAndReleaseAsync(
            cluster,
            static async (b, key) => Assert.That(await b.IncrementAsync(key, 2), Is.EqualTo(7)),
            static async (b, key, late) => Assert.That(await b.GetAsync<string>(key), Is.Not.EqualTo(late), "the late set overwrote a newer count"),
            counter: true);

    /// <summary>
    /// Issue 9, lane gaps8: an increment written to a socket StackExchange.Redis gives up on can land after a newer set
    /// of the key: it counted its delta on the newer value. Now it is stamped like a set, and a late one is not applied
    /// when the key was set, added, removed, pulled or flushed after its stamp.
    /// </summary>
    [TestCase(false, TestName = "LateIncrement_AfterAnotherInstanceSetTheKey_IsNotCountedOnTheNewValue(server)")]
    [TestCase(true, TestName = "LateIncrement_AfterAnotherInstanceSetTheKey_IsNotCountedOnTheNewValue(cluster)")]
    public Task LateIncrement_AfterAnotherInstanceSetTheKey_IsNotCountedOnTheNewValue(bool cluster) =>
        LateIncrementAsync(cluster, static async (b, key) => await b.SetAsync(key, 100L), expected: 100);

    [TestCase(false, TestName = "LateIncrement_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(server)")]
    [TestCase(true, TestName = "LateIncrement_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(cluster)")]
    public Task LateIncrement_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(bool cluster) =>
        LateIncrementAsync(cluster, static async (b, key) => Assert.That(await b.RemoveAsync(key), Is.True), expected: null);

    [TestCase(false, TestName = "LateIncrement_AfterAnotherInstanceFlushed_DoesNotBringItBack(server)")]
    [TestCase(true, TestName = "LateIncrement_AfterAnotherInstanceFlushed_DoesNotBringItBack(cluster)")]
    public Task LateIncrement_AfterAnotherInstanceFlushed_DoesNotBringItBack(bool cluster) =>
        LateIncrementAsync(cluster, static async (b, _) => await b.FlushAsync(), expected: null);

    /// <summary>Increments commute: one that lands late after another instance's increment still counts (the check must not refuse every late increment).</summary>
    [TestCase(false, TestName = "LateIncrement_AfterAnotherInstanceIncremented_CountsBoth(server)")]
    [TestCase(true, TestName = "LateIncrement_AfterAnotherInstanceIncremented_CountsBoth(cluster)")]
    public Task LateIncrement_AfterAnotherInstanceIncremented_CountsBoth(bool cluster) =>
        LateIncrementAsync(cluster, static async (b, key) => Assert.That(await b.IncrementAsync(key, 1), Is.EqualTo(6)), expected: 6 + LateDelta);

    private const long LateDelta = 7919;

    /// <summary>A's increment by <see cref="LateDelta"/> of a counter at 5 is held, B overtakes it, the bytes land: B reads <paramref name="expected"/>.</summary>
    private static Task LateIncrementAsync(bool cluster, Func<StockpileCache, string, Task> overtake, long? expected) =>
        HoldAndReleaseAsync(cluster, overtake, async (b, key, _) =>
            Assert.That(await b.GetAsync<long?>(key), Is.EqualTo(expected), "what the late increment left"), increment: true);

    /// <summary>An add finds no live entry after the remove: without the stamp check, the late add brought the value back.</summary>
    [TestCase(false, TestName = "LateAdd_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(server)")]
    [TestCase(true, TestName = "LateAdd_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(cluster)")]
    public Task LateAdd_AfterAnotherInstanceRemovedTheKey_DoesNotBringItBack(bool cluster) =>
        HoldAndReleaseAsync(
            cluster,
            static async (b, key) => Assert.That(await b.RemoveAsync(key), Is.False, "A removed it before its add"),
            static async (b, key, late) => Assert.That(await b.GetAsync<string>(key), Is.Not.EqualTo(late), "the late add brought the key back"),
            add: true);

    /// <summary>
    /// An add that finds a live entry changes nothing, late or not (lane gaps8): a late add refused because another add
    /// stored the key after its stamp removed that entry, so a third add stored too (two callers told they stored:
    /// <c>AddAsync_ConcurrentCallers_ExactlyOneStores</c> failed under load).
    /// </summary>
    [TestCase(false, TestName = "LateAdd_AfterAnotherInstanceAdded_LeavesItsEntry(server)")]
    [TestCase(true, TestName = "LateAdd_AfterAnotherInstanceAdded_LeavesItsEntry(cluster)")]
    public Task LateAdd_AfterAnotherInstanceAdded_LeavesItsEntry(bool cluster) =>
        HoldAndReleaseAsync(
            cluster,
            static async (b, key) => Assert.That(await b.AddAsync(key, "added"), Is.True),
            static async (b, key, _) => Assert.That(await b.GetAsync<string>(key), Is.EqualTo("added"), "the late add removed the entry another add stored"),
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

    /// <summary>Holds A's set of a late value (or its add, or its increment; a counter at 5 first when <paramref name="counter"/>), loses A, lets B <paramref name="overtake"/>, delivers the held bytes, then runs <paramref name="check"/> with B.</summary>
    private static async Task HoldAndReleaseAsync(bool cluster, Func<StockpileCache, string, Task> overtake, Func<StockpileCache, string, string, Task> check, bool add = false, bool increment = false, bool counter = false)
    {
        await using var redis = await CuttableRedis.StartAsync(cluster);
        var prefix = TestStores.UniquePrefix();
        var aConnection = await ConnectAsync(redis.ForA, redis.Tunnel);
        await using var bConnection = await ConnectAsync(redis.ForB, null);
        var a = Create(aConnection, prefix);
        await using var b = Create(bConnection, prefix);
        var key = "k-" + Guid.NewGuid().ToString("N");
        var late = "late-" + Guid.NewGuid().ToString("N");
        if (increment || counter)
        {
            await a.SetAsync(key, 5L);
            Assert.That(await b.GetAsync<long?>(key), Is.EqualTo(5));
        }
        else
        {
            await a.SetAsync(key, "v0");
            Assert.That(await b.GetAsync<string>(key), Is.EqualTo("v0"));
        }

        // Every node knows the set script, so the late EVALSHA runs (a NOSCRIPT answer would pass the test for nothing).
        foreach (var node in bConnection.GetServers().Where(static s => !s.IsReplica))
        {
            await node.ScriptLoadAsync(increment ? RedisCacheScripts.Increment : add ? RedisCacheScripts.Add : RedisCacheScripts.Set);
        }

        if (add)
        {
            Assert.That(await a.RemoveAsync(key), Is.True);
        }

        redis.Hold();
        if (increment)
        {
            Assert.CatchAsync(async () => await a.IncrementAsync(key, LateDelta), "A's caller gave up on the increment");
            Assert.That(redis.Holds(Encoding.UTF8.GetBytes(LateDelta.ToString(System.Globalization.CultureInfo.InvariantCulture))), Is.True, "the increment's bytes are held on their way to Redis");
        }
        else if (add)
        {
            Assert.That(await a.AddAsync(key, late), Is.False, "A's caller gave up on the add");
        }
        else
        {
            await a.SetAsync(key, late);
        }

        Assert.That(increment || redis.Holds(Encoding.UTF8.GetBytes(late)), Is.True, "the set's bytes are held on their way to Redis");

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
