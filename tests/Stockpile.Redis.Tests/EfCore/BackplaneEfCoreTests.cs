using Stockpile.Redis.Tests.Backplane;

namespace Stockpile.Redis.Tests.EfCore;

/// <summary>
/// Two app instances sharing one Redis and one SQLite database: a commit on A reaches B's next read within a bounded
/// delay, measured here.
/// </summary>
[NonParallelizable]
public sealed class BackplaneEfCoreTests
{
    private const int Rounds = 20;

    [Test]
    public async Task CommitOnA_IsSeenByBsNextRead_WithinABoundedDelay()
    {
        await using var database = await SqliteFileDatabase.CreateAsync();
        await EfCoreApps.SeedAsync(database, [1]);
        await using var pair = await EfCoreApps.StartPairAsync(RedisTestEnvironment.ConnectionString, database);
        var (a, b) = (pair.A, pair.B);
        var delays = new List<double>();
        var afterCommit = new List<double>();

        for (var round = 1; round <= Rounds; round++)
        {
            var before = await b.Chain.GetAsync<Row, int>(1);
            Assert.That(await b.Memory.GetAsync<Row, int>(1), Is.Not.Null, "B holds the row in memory");
            var name = $"round {round}";
            Assert.That(before?.Name, Is.Not.EqualTo(name));

            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            await EfCoreApps.RenameAsync(a, 1, name);
            var committed = stopwatch.Elapsed.TotalMilliseconds;
            await RedisBackplaneTests.WaitUntilAsync(async () => (await b.Chain.GetAsync<Row, int>(1))?.Name == name);
            delays.Add(stopwatch.Elapsed.TotalMilliseconds);
            afterCommit.Add(stopwatch.Elapsed.TotalMilliseconds - committed);

            // B's handling of the message ends after its memory eviction (the log line follows it): a read while it is
            // under way does not back-fill memory (a write of the type is in progress), and on a busy machine the next
            // round's first read could fall in it too. Let it end before the next round checks B's memory.
            await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.Count("BackplaneEvicted") >= round));
        }

        delays.Sort();
        afterCommit.Sort();
        TestContext.Progress.WriteLine(FormattableString.Invariant(
            $"backplane delay over {Rounds} rounds, from SaveChangesAsync called on A to B reading the new value: median {delays[Rounds / 2]:0.0} ms (min {delays[0]:0.0}, max {delays[^1]:0.0}); from SaveChangesAsync returned: median {afterCommit[Rounds / 2]:0.00} ms (max {afterCommit[^1]:0.00})"));
        // B read the last round's value once its memory was evicted, which it logs just after; A hears its own last
        // message when it does: wait for both lines, not only for B's read.
        await RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(a.Count("BackplaneOwnMessageIgnored") >= Rounds && b.Count("BackplaneEvicted") >= Rounds));
        Assert.That(a.Count("BackplaneOwnMessageIgnored"), Is.GreaterThanOrEqualTo(Rounds), "A heard and ignored its own messages");
        Assert.That(a.Count("BackplaneEvicted"), Is.Zero, "A was never evicted by its own commits' messages");
        Assert.That(b.Count("BackplaneEvicted"), Is.GreaterThanOrEqualTo(Rounds));
    }
}
