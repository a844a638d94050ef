using Stockpile.Redis.Tests.Backplane;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Torture cases 3 and 4 (issue 12): the workload of <see cref="ConcurrencyTortureTests"/> on two instances while Redis
/// is stopped and started again empty, frozen (<c>SIGSTOP</c>) and thawed, or one node of a three-master cluster is
/// killed and started again; and the backplane (A's whole connection) cut while B commits; with the query cache and the
/// token-keyed values on caches over Redis, whose calls share the store's circuit. No caller sees an exception,
/// the circuit opens and closes, no read is older than a write its instance returned, and once quiet every tier of
/// both instances equals the database, without another write to help.
/// </summary>
[Category("Torture")]
[NonParallelizable]
public sealed class FaultTortureTests
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(60);

    /// <summary>Operations in each phase of a fault cycle: before, during and after the fault.</summary>
    private static long Phase => Math.Max(40, TortureSettings.Rounds / 4);

    /// <summary>Stopped on PostgreSQL and frozen on SQLite in the short form; both on both in the soak.</summary>
    public static IEnumerable<TestCaseData> StopCases => TortureSettings.Cases(
        [
            new(false, TortureDatabaseKind.PostgreSql),
            new(true, TortureDatabaseKind.Sqlite),
            new(false, TortureDatabaseKind.Sqlite),
            new(true, TortureDatabaseKind.PostgreSql),
        ],
        0,
        1);

    /// <summary>One database each in the short form (the cluster on SQLite, the backplane on PostgreSQL); both in the soak.</summary>
    public static IEnumerable<TestCaseData> ClusterCases => TortureSettings.Cases([new(TortureDatabaseKind.Sqlite), new(TortureDatabaseKind.PostgreSql)], 0);

    /// <summary>The cluster on SQLite in the short form (the server's cut runs in the soak); both on both in the soak.</summary>
    public static IEnumerable<TestCaseData> BackplaneCases => TortureSettings.Cases(
        [
            new(false, TortureDatabaseKind.PostgreSql),
            new(true, TortureDatabaseKind.Sqlite),
            new(false, TortureDatabaseKind.Sqlite),
            new(true, TortureDatabaseKind.PostgreSql),
        ],
        1);

    [TortureReplay]
    [TestCaseSource(nameof(StopCases))]
    public async Task RedisStoppedOrFrozenMidWorkload_NoCallerFails_NothingStaleAfterRecovery(bool freeze, TortureDatabaseKind kind)
    {
        await using var server = await RedisServer.StartAsync();
        var ids = TortureApps.Ids();
        await using var database = await TortureDatabase.CreateAsync(kind, ids);
        await using var pair = await TortureApps.StartAsync(server.ConnectionString, server.ConnectionString, database, new CommitWindow(), failFast: true);
        AppInstance[] instances = [pair.A, pair.B];
        var workload = new TortureWorkload(instances, database, ids, TortureApps.Seed()) { SharedRedisFloor = false };
        var timings = new List<string>();

        workload.Start(TortureSettings.Workers);
        await workload.ProgressAsync(Phase);
        for (var cycle = 0; cycle < TortureSettings.Cycles; cycle++)
        {
            var (opened, closed, cleared) = (Counts(instances, "CircuitOpened"), Counts(instances, "CircuitClosed"), Counts(instances, "BackplaneClearedAfterReconnect"));
            await (freeze ? server.FreezeAsync() : server.StopAsync());
            var open = await TortureWaits.LoggedAsync(instances, "CircuitOpened", opened, RecoveryBound);
            await workload.ProgressAsync(Phase);

            await (freeze ? server.ThawAsync() : server.StartAgainAsync());
            var close = await TortureWaits.LoggedAsync(instances, "CircuitClosed", closed, RecoveryBound);
            if (!freeze)
            {
                close = await TortureWaits.LoggedAsync(instances, "BackplaneClearedAfterReconnect", cleared, RecoveryBound);
            }

            timings.Add($"opened {open.TotalMilliseconds:0} ms after the fault, recovered {close.TotalMilliseconds:0} ms after the repair");
            await workload.ProgressAsync(Phase);
        }

        await workload.StopAsync();
        TestContext.Progress.WriteLine("circuits: " + string.Join("; ", timings));
        await VerifyAsync(workload, instances, $"Redis {(freeze ? "frozen and thawed" : "stopped and restarted")} x{TortureSettings.Cycles} ({kind})");
    }

    /// <summary>
    /// One master of three is killed (its folder kept) and started again with its cluster identity and slots, empty:
    /// first the keys of its slots fail, then (once the survivors mark it failed) every node answers <c>CLUSTERDOWN</c>;
    /// its fences are gone when it comes back.
    /// </summary>
    [TortureReplay]
    [TestCaseSource(nameof(ClusterCases))]
    public async Task ClusterNodeKilledAndRestartedMidWorkload_NoCallerFails_NothingStaleAfterRecovery(TortureDatabaseKind kind)
    {
        // A short node timeout: the survivors mark the killed master failed (every node then answers CLUSTERDOWN)
        // within a second or two, and clear the mark as soon after its return.
        await using var cluster = await RedisCluster.StartAsync(TimeSpan.FromSeconds(1));
        var ids = TortureApps.Ids();
        await using var database = await TortureDatabase.CreateAsync(kind, ids);
        // With the query cache: a master started again empty loses the tag versions in its slots, which must never
        // validate a result cached before (seed 747672 once served one, before tag versions were born at the server's time).
        await using var pair = await TortureApps.StartAsync(cluster.Nodes[0].ConnectionString, cluster.Nodes[1].ConnectionString, database, new CommitWindow(), failFast: true);
        AppInstance[] instances = [pair.A, pair.B];
        var victim = cluster.Nodes[2];
        var workload = new TortureWorkload(instances, database, ids, TortureApps.Seed()) { SharedRedisFloor = false };

        workload.Start(TortureSettings.Workers);
        await workload.ProgressAsync(Phase);
        for (var cycle = 0; cycle < TortureSettings.Cycles; cycle++)
        {
            var skipped = Sum(instances, "WriteSkipped", "WriteSkippedCircuitOpen", "CircuitOpened");
            await victim.KillAsync();
            await workload.ProgressAsync(Phase);
            await RedisCluster.WaitForStateAsync("fail", cluster.Nodes.Except([victim]));
            await workload.ProgressAsync(Phase);
            await TortureWaits.UntilAsync(() => Task.FromResult(Sum(instances, "WriteSkipped", "WriteSkippedCircuitOpen", "CircuitOpened") > skipped), RecoveryBound, "a write skipped or a circuit opened while the node was down");

            await victim.StartAgainAsync();
            await cluster.WaitHealthyAsync();
            await workload.ProgressAsync(Phase);
        }

        await workload.StopAsync();
        TestContext.Progress.WriteLine($"cluster node kills: writes skipped {Sum(instances, "WriteSkipped", "WriteSkippedCircuitOpen")}, circuits opened {Sum(instances, "CircuitOpened")}, closed {Sum(instances, "CircuitClosed")}");
        await VerifyAsync(workload, instances, $"cluster node killed and restarted x{TortureSettings.Cycles} ({kind})");
    }

    /// <summary>
    /// Case 4: A reaches Redis through a proxy (on the cluster, one per node), which is cut (A's backplane and Redis
    /// tier are down, B's are not) while both instances work and B commits. The workload stops before the proxy is
    /// restored: A must converge on its own.
    /// </summary>
    [TortureReplay]
    [TestCaseSource(nameof(BackplaneCases))]
    public async Task BackplaneDownWhileBCommits_AConvergesAfterRecoveryWithoutHelp(bool cluster, TortureDatabaseKind kind)
    {
        await using var redis = await CuttableRedis.StartAsync(cluster);
        var ids = TortureApps.Ids();
        await using var database = await TortureDatabase.CreateAsync(kind, ids);
        await using var pair = await TortureApps.StartAsync(redis.ForA, redis.ForB, database, new CommitWindow(), failFast: true, tunnelA: redis.Tunnel);
        AppInstance[] instances = [pair.A, pair.B];
        AppInstance[] a = [pair.A];
        var workload = new TortureWorkload(instances, database, ids, TortureApps.Seed()) { SharedRedisFloor = false };
        var settled = new List<string>();

        for (var cycle = 0; cycle < TortureSettings.Cycles; cycle++)
        {
            workload.Start(TortureSettings.Workers);
            await workload.ProgressAsync(Phase);
            var (opened, closed, cleared) = (Counts(a, "CircuitOpened"), Counts(a, "CircuitClosed"), Counts(a, "BackplaneClearedAfterReconnect"));
            redis.Cut();
            await TortureWaits.LoggedAsync(a, "CircuitOpened", opened, RecoveryBound);
            var writesOfB = workload.WritesBy(1);
            await workload.ProgressAsync(Phase);
            await workload.StopAsync();
            Assert.That(workload.WritesBy(1), Is.GreaterThan(writesOfB), "B committed while A's backplane was down");

            redis.Restore();
            await TortureWaits.LoggedAsync(a, "CircuitClosed", closed, RecoveryBound);
            var recovered = await TortureWaits.LoggedAsync(a, "BackplaneClearedAfterReconnect", cleared, RecoveryBound);
            settled.Add($"A resubscribed {recovered.TotalMilliseconds:0} ms after the restore, " + await workload.VerifyAsync());
        }

        workload.AssertClean($"backplane down while B commits x{TortureSettings.Cycles} ({(cluster ? "cluster" : "server")}, {kind})", string.Join("; ", settled));
        Assert.That(pair.A.Redis.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
    }

    private static async Task VerifyAsync(TortureWorkload workload, AppInstance[] instances, string name)
    {
        var settled = await workload.VerifyAsync();
        workload.AssertClean(name, settled + $"; circuits opened {Sum(instances, "CircuitOpened")}, closed {Sum(instances, "CircuitClosed")}");
        Assert.That(instances.Select(static i => i.Redis.CircuitState), Is.All.EqualTo(RedisCircuitState.Closed), "every circuit closed after recovery");
    }

    private static int[] Counts(AppInstance[] instances, string eventName) => [.. instances.Select(i => i.Count(eventName))];

    private static int Sum(AppInstance[] instances, params string[] eventNames) => instances.Sum(i => eventNames.Sum(i.Count));
}
