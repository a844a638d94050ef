using Stockpile.Redis.Tests.EfCore;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// The torture workload's end check itself (<see cref="TortureWorkload.VerifyAsync"/>): it must wait until every
/// instance has settled before it compares any. A write one instance skipped while its Redis was away (here a commit's
/// removal of the table's tag) stays in Redis for every instance until that instance's clean-up removes it; the other
/// instance, settled on its own, still reads a cached query stamped before the commit. The check compared each instance
/// as soon as its own chain agreed with the database, and so failed a run that converged (the cluster node kill once
/// reported "cached query … c25, the database holds c26").
/// </summary>
[Category("Torture")]
[NonParallelizable]
public sealed class TortureVerifyTests
{
    [Test]
    public async Task VerifyAsync_AnotherInstancesSkippedTagRemovalStillDue_ComparesOnceEveryInstanceSettled()
    {
        await using var redis = await CuttableRedis.StartAsync(cluster: false);
        int[] ids = [1];
        await using var database = await TortureDatabase.CreateAsync(TortureDatabaseKind.Sqlite, ids);
        // A's break is long: its circuit is still open when the check begins (until its reconnect ends it), while B,
        // settled at once, is read at once (the old check failed 3 runs of 3 with it, 2 of 3 with the usual 500 ms).
        await using var pair = await TortureApps.StartAsync(redis.ForA, redis.ForB, database, new CommitWindow(), failFast: true, tunnelA: redis.Tunnel, configureA: static o => o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(3));
        // B first: the check reaches B, which never lost Redis, before A, whose clean-up is due.
        var workload = new TortureWorkload([pair.B, pair.A], database, ids, TortureApps.Seed()) { SharedRedisFloor = false };
        Assert.That(await workload.CachedQueryNameAsync(0, 1), Is.EqualTo(TortureNames.Committed(0)), "B caches the query's result");

        redis.Cut();
        await EfCoreApps.RenameAsync(pair.A, 1, TortureNames.Committed(1));
        Assert.That(await workload.CachedQueryNameAsync(0, 1), Is.EqualTo(TortureNames.Committed(0)), "A's removal of the tag did not reach Redis: B still holds the result stamped before the commit");

        // A reaches Redis again; its clean-up follows on its own (no call of A's helps it), B is settled at once.
        redis.Restore();
        var settled = await workload.VerifyAsync();

        workload.AssertClean("verification while A's clean-up is due", settled);
        Assert.That(await workload.CachedQueryNameAsync(0, 1), Is.EqualTo(TortureNames.Committed(1)), "B's cached query reads the commit once A cleaned up");
        Assert.That(pair.A.Redis.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
    }
}
