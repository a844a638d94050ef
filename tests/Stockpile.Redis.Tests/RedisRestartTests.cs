using Stockpile.Redis.Tests.Backplane;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests;

/// <summary>
/// The real redis-server stopped and started again (empty, on the same port) in the middle of a workload of reads and
/// commits on two app instances over a stand-in database: no caller sees an exception, the circuit opens and closes,
/// and afterwards every read returns the database's current value.
/// </summary>
[NonParallelizable]
public sealed class RedisRestartTests
{
    /// <param name="freeze">Whether Redis is frozen (<c>SIGSTOP</c>, then <c>SIGCONT</c>, with its data) rather than restarted empty.</param>
    [TestCase(false, TestName = "RedisRestartedMidWorkload_NoCallerFails_NoStaleValueAfterwards")]
    [TestCase(true, TestName = "RedisFrozenMidWorkload_NoCallerFails_NoStaleValueAfterwards")]
    public async Task RedisTakenAwayMidWorkload_NoCallerFails_NoStaleValueAfterwards(bool freeze)
    {
        await using var server = await RedisServer.StartAsync();
        var database = new FakeDatabase();
        var ids = Enumerable.Range(1, 20).ToArray();
        await database.PutManyAsync(ids.Select(id => new Row { Id = id, Code = $"R{id}", Name = "v0" }));

        await RunAsync(server, ids, b => b.AddTier(_ => database), async (instance, id, name) =>
        {
            // A commit as the EF Core interceptor applies it: the database first, then the chain evicts.
            var row = new Row { Id = id, Code = $"R{id}", Name = name };
            await database.PutAsync(row);
            await instance.Chain.InvalidateAsync([EntityKey.FromEntity(row), EntityKey.Of<Row>(nameof(Row.Code), row.Code)]);
        }, async () => (await database.GetManyAsync<Row, int>(ids)).Select(r => r!.Name).ToArray(), freeze: freeze);
    }

    /// <summary>
    /// The scenario, for any bottom tier: <paramref name="commit"/> changes a row, <paramref name="current"/> reads
    /// every row from the database. Redis is stopped and started again empty, or with <paramref name="freeze"/>
    /// frozen (<c>SIGSTOP</c>) and thawed with its data.
    /// </summary>
    internal static async Task RunAsync(RedisServer server, int[] ids, Action<IStockpileBuilder> addBottom, Func<AppInstance, int, string, Task> commit, Func<Task<string[]>> current, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configure = null, bool freeze = false)
    {
        using var states = new StateChangeListener(server.ConnectionString);
        await using var pair = await AppPair.StartAsync(server.ConnectionString, addBottom, configure, TestStores.FailFast);
        var (a, b) = (pair.A, pair.B);
        var workload = new FailSafeWorkload([a, b], ids, commit);
        workload.Start(workers: 4);
        await workload.ProgressAsync(20);

        await (freeze ? server.FreezeAsync() : server.StopAsync());
        await WaitAsync(() => a.Count("CircuitOpened") > 0 && b.Count("CircuitOpened") > 0);
        await workload.ProgressAsync(20);
        var failuresWhileDown = workload.Failures.Count;

        await (freeze ? server.ThawAsync() : server.StartAgainAsync());
        await WaitAsync(() => a.Count("CircuitClosed") > 0 && b.Count("CircuitClosed") > 0
            && (freeze || (a.Count("BackplaneClearedAfterReconnect") > 0 && b.Count("BackplaneClearedAfterReconnect") > 0)));
        await workload.ProgressAsync(20);
        await workload.StopAsync();

        TestContext.Progress.WriteLine($"restart workload: {workload.Reads} reads, {workload.Commits} commits, circuit states {string.Join(",", states.States)}");
        Assert.That(workload.Failures, Is.Empty, "no caller saw an exception");
        Assert.That(failuresWhileDown, Is.Zero);
        Assert.That(states.States, Does.Contain("open").And.Contain("closed"), "the breaker's state changes were counted");

        var expected = await current();
        foreach (var instance in new[] { a, b })
        {
            // The last commits' backplane messages may still be on their way to the other instance (milliseconds): a
            // stale value that stays fails here, after the bound.
            var settled = await RedisBackplaneTests.WaitUntilAsync(async () => (await instance.Chain.GetManyAsync<Row, int>(ids)).Select(r => r?.Name).SequenceEqual(expected), TimeSpan.FromSeconds(5));
            TestContext.Progress.WriteLine($"every read returned the database's value {settled.TotalMilliseconds:0} ms after the workload stopped");
            foreach (var id in ids)
            {
                Assert.That((await instance.Chain.GetAsync<Row>(EntityKey.Of<Row>(nameof(Row.Code), $"R{id}")))?.Name, Is.EqualTo(expected[id - 1]));
                Assert.That((await instance.Redis.GetAsync<Row, int>(id))?.Name, Is.Null.Or.EqualTo(expected[id - 1]), $"Redis holds an old value of row {id}");
            }

            Assert.That(instance.Redis.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
        }
    }

    private static Task<TimeSpan> WaitAsync(Func<bool> condition) =>
        RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(condition()), TimeSpan.FromSeconds(30));
}
