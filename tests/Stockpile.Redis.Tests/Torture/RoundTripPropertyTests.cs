using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Fuzz;

namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// Issue 12, torture case 6 (Redis): randomized objects of every supported key type round-trip through the Redis store
/// (on a server and on the cluster) and through a chain of memory, Redis and a database, or are refused with an
/// exception naming the type, key and reason (a key Redis cannot hold, text JSON cannot carry, a value past
/// <see cref="RedisStoreOptions.MaximumValueBytes"/>), leaving nothing in any tier. FsCheck makes the cases from a seed
/// printed before the run; <c>STOCKPILE_FSCHECK_SEED</c> replays it, <c>STOCKPILE_SOAK=1</c> runs ten times as many.
/// </summary>
/// <param name="cluster">Whether to run against the three-master cluster.</param>
[TestFixture(false)]
[TestFixture(true)]
[Category("Torture")]
public sealed class RoundTripPropertyTests(bool cluster) : RedisFixture
{
    private const int LargeBlobBytes = 192 * 1024;

    private protected override bool RunsOnCluster => cluster;

    [TestCase(false)]
    [TestCase(true)]
    public async Task PutGetDelete_RandomObjects_RoundTripOrAreRefusedLeavingNothing(bool chained)
    {
        await using var redis = TestStores.Create(_connection, o => o.MaximumValueBytes = 256 * 1024);
        var name = $"round trip ({(cluster ? "cluster" : "server")}, {(chained ? "memory, Redis, database" : "Redis")})";
        var refused = 0;
        var count = await FuzzRun.RunAsync(name, FuzzGenerators.Entity(LargeBlobBytes), 80, async item =>
        {
            ObjectStore[] tiers = chained ? [new MemoryStore(), redis, new FakeDatabase()] : [redis];
            var store = chained ? new ChainedStore(tiers) : (ObjectStore)redis;
            refused += await RoundTrip.CheckAsync(store, tiers, item) ? 1 : 0;
        });

        TestContext.Progress.WriteLine($"{name}: {count} objects, {refused} refused");
    }
}
