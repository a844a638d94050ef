using Stockpile.Redis.Internal.Resp;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Regression: <c>RedisRestartTests.RedisRestartedMidWorkload_NoCallerFails_NoStaleValueAfterwards</c> failed now and
/// then under CPU load, one instance serving an older state of a row from Redis after the restart. A back-fill was
/// written into Redis past another instance's commit and eviction: lease tokens were unique per process, not per
/// store, so a second store in the process (another service provider) could hand out the very token of the lease the
/// first one had lost.
/// </summary>
public sealed class BackfillLeaseRaceTests
{
    private IRedisConnection _connection = null!;
    private RedisStore _a = null!;
    private RedisStore _b = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        var prefix = TestStores.UniquePrefix();
        _a = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
        _b = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Test]
    public async Task AnotherStoreInTheProcessMissesAfterItsEviction_BackfillIsNotWritten()
    {
        // Both stores are fresh, so each one's first read takes its first lease.
        var old = TestStores.NewProduct("old");
        Assert.That(await _b.GetAsync<Product, int>(old.Id), Is.Null, "B misses and takes a lease");

        await _a.DeleteAsync(EntityKey.For<Product>(old.Id));
        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "A misses after its commit and takes a lease of its own");
        await _b.PutAsync(old);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "B's back-fill did not pass for A's lease");
    }
}
