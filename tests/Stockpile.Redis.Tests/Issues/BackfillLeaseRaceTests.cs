using System.Collections.Concurrent;
using StackExchange.Redis;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Regression: <c>RedisRestartTests.RedisRestartedMidWorkload_NoCallerFails_NoStaleValueAfterwards</c> failed now and
/// then under CPU load, one instance serving an older state of a row from Redis after the restart (every read missing
/// at once after it). Back-fills were written into Redis past another instance's commit and eviction, for three
/// reasons: a store remembered one lease per key, so when two reads of a key missed at once one back-fill carried
/// the other's token or none; a read that failed took no lease, yet the chain back-filled what it then read from the
/// database, as given; and lease tokens were unique per process, not per store, so a second store in the process
/// (another service provider) could hand out the very token of the lease the first one had lost. (Leases are now the
/// time of each read, carried by the chain from the read to its back-fill; the tests stay.)
/// </summary>
public sealed class BackfillLeaseRaceTests
{
    private ConnectionMultiplexer _connection = null!;
    private FaultyRedis _faulty = null!;
    private RedisStore _a = null!;
    private RedisStore _b = null!;
    private GatedDatabase _database = null!;
    private ChainedStore _chainB = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        _faulty = new FaultyRedis(_connection);
        var prefix = TestStores.UniquePrefix();
        _a = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
        _b = TestStores.Create(_faulty, o => o.KeyPrefix = prefix);
        _database = new GatedDatabase();
        _chainB = new ChainedStore([_b, _database]);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _database.Release();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Test]
    public async Task TwoReadsMissAtOnce_ThenAnotherInstanceCommits_NeitherBackfillIsWritten()
    {
        var old = TestStores.NewProduct("old");
        await _database.PutAsync(old);
        // Two chains over B's store: one chain coalesces the two misses into one read (see ChainedStoreCoalescingTests).
        var first = _chainB.GetAsync<Product, int>(old.Id).AsTask();
        var second = new ChainedStore([_b, _database]).GetManyAsync<Product, int>([old.Id]).AsTask();
        await _database.WaitForHeldReadsAsync(2);

        await CommitOnAAsync(old, "new");
        _database.Release();
        await Task.WhenAll(first, second);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "neither back-fill of what B read before A's commit was written");
    }

    [Test]
    public async Task ReadFailsWhileRedisIsAway_ThenAnotherInstanceCommits_BackfillIsNotWritten([Values] bool batch)
    {
        var old = TestStores.NewProduct("old");
        await _database.PutAsync(old);
        _faulty.Fault = FaultyRedis.Down;
        var read = batch
            ? _chainB.GetManyAsync<Product, int>([old.Id]).AsTask()
            : _chainB.GetAsync<Product, int>(old.Id).AsTask().ContinueWith(t => (IReadOnlyList<Product?>)[t.Result], TaskScheduler.Default);
        await _database.WaitForHeldReadsAsync(1);

        _faulty.Fault = null;
        await CommitOnAAsync(old, "new");
        _database.Release();
        Assert.That((await read)[0]?.Name, Is.EqualTo("old"), "B's read failed on Redis and went on to the database");

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "B's back-fill of what it read before A's commit was not written");
    }

    [Test]
    public async Task AnotherStoreInTheProcessMissesAfterItsEviction_BackfillIsNotWritten()
    {
        var old = TestStores.NewProduct("old");
        var read = await _b.ReadForChainAsync(EntityKey.For<Product>(old.Id), default);
        Assert.That(read.Value, Is.Null, "B misses");

        await _a.DeleteAsync(EntityKey.For<Product>(old.Id));
        Assert.That(await _a.ReadForChainAsync(EntityKey.For<Product>(old.Id), default), Has.Property("Value").Null, "A misses after its commit");
        await _b.BackfillUntypedAsync([old], read.Lease, default);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "B's back-fill did not pass on A's later read");
    }

    /// <summary>A commit on instance A, as the EF Core interceptor applies it: the database first, then Redis evicts.</summary>
    private async Task CommitOnAAsync(Product product, string name)
    {
        await _database.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = name, Price = product.Price });
        await _a.DeleteAsync(EntityKey.For<Product>(product.Id));
    }

    /// <summary>A source of truth by primary key whose reads take their value, then wait until released.</summary>
    internal sealed class GatedDatabase() : ObjectStore("database")
    {
        private readonly ConcurrentDictionary<string, object> _rows = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        public override bool IsSourceOfTruth => true;

        public void Release() => _released.TrySetResult();

        public Task<TimeSpan> WaitForHeldReadsAsync(int count) =>
            Backplane.RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref _held) >= count), TimeSpan.FromSeconds(10));

        protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken)
        {
            var value = _rows.GetValueOrDefault(key.Encode());
            Interlocked.Increment(ref _held);
            await _released.Task.WaitAsync(cancellationToken);
            return value;
        }

        protected override ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken)
        {
            _rows[EntityKey.FromEntity(item).Encode()] = item;
            return default;
        }

        protected override ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
            new(_rows.TryRemove(key.Encode(), out _));
    }
}
