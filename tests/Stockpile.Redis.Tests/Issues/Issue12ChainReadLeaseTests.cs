using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 2 (a chain read served from Redis within 1.1x the peers): a chain's read on one server sent the
/// lease's <c>TIME</c> behind every <c>GET</c>, though only a miss needs the lease. The lease now comes from the
/// store's <see cref="RedisWriteClock"/> (a lower bound of the server's time, taken before the read is sent) when it saw
/// a server time within the last second, and from <c>TIME</c> otherwise, whose reply feeds the clock. These tests
/// count the <c>TIME</c> commands each read sends (they failed before: every read sent one) and show that a
/// back-fill whose read raced another instance's commit is still refused with the clock's lease (real redis-server,
/// the database read held at a gate while the commit lands).
/// </summary>
[TestFixture]
public sealed class Issue12ChainReadLeaseTests : RedisFixture
{
    private FaultyRedis _faulty = null!;
    private RedisStore _a = null!;
    private RedisStore _b = null!;
    private BackfillLeaseRaceTests.GatedDatabase _database = null!;
    private int _times;

    [SetUp]
    public void SetUp()
    {
        _faulty = new FaultyRedis(_connection);
        var prefix = TestStores.UniquePrefix();
        _a = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
        _b = TestStores.Create(_faulty, o => o.KeyPrefix = prefix);
        _database = new BackfillLeaseRaceTests.GatedDatabase();
        _times = 0;
        _faulty.Before = (method, args) =>
        {
            if (IsClock(method, args))
            {
                Interlocked.Increment(ref _times);
            }

            return Task.CompletedTask;
        };
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _database.Release();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Test]
    public async Task GetAsync_MissRacingAnotherInstancesCommit_LeaseFromTheClock_BackfillIsRefused([Values] bool batch)
    {
        var old = TestStores.NewProduct("old");
        await _database.PutAsync(old);
        await _b.PutAsync(TestStores.NewProduct()); // B's own write just returned: its clock has a fresh server time
        var chain = new ChainedStore([_b, _database]);
        var read = ReadAsync(chain, old.Id, batch);
        await _database.WaitForHeldReadsAsync(1);

        // Instance A commits while B reads the database: its eviction fences the key after B's lease.
        await _database.PutAsync(new Product { Id = old.Id, Sku = old.Sku, Name = "new", Price = old.Price });
        await _a.DeleteAsync(EntityKey.For<Product>(old.Id));
        _database.Release();
        Assert.That((await read)?.Name, Is.EqualTo("old"), "B read the database before A's commit");
        Assert.That(await chain.SettleAsync(default), Is.True);

        Assert.That(await _a.GetAsync<Product, int>(old.Id), Is.Null, "B's back-fill of the pre-commit row was refused");
        Assert.That(Volatile.Read(ref _times), Is.Zero, "the miss took its lease from the store's clock: no TIME was sent");
    }

    [Test]
    public async Task GetAsync_MissNothingRaced_LeaseFromTheClock_BackfillIsWritten([Values] bool batch)
    {
        var product = TestStores.NewProduct();
        await _database.PutAsync(product);
        await _b.PutAsync(TestStores.NewProduct());
        var chain = new ChainedStore([_b, _database]);
        _database.Release();

        Assert.That((await ReadAsync(chain, product.Id, batch))?.Name, Is.EqualTo(product.Name));
        Assert.That(await chain.SettleAsync(default), Is.True);

        Assert.That((await _a.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "the clock's lease is young enough: the back-fill was granted");
        Assert.That(Volatile.Read(ref _times), Is.Zero, "no TIME was sent");
    }

    [Test]
    public async Task GetAsync_HitWithAStaleClock_SendsTimeOnce_ItsReplyKeepsTheNextReadsOffIt()
    {
        var time = new FakeTimeProvider();
        await using var b = TestStores.Create(_faulty, o => o.KeyPrefix = _b.KeyPrefixForTests, clockTime: time);
        var product = TestStores.NewProduct();
        await _a.PutAsync(product); // B writes nothing: its clock sees only the server time of its start and its reads' TIME
        Assert.That((await b.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "B started (its clear fence's time)");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(b.WriteClock.TryLease(out _), Is.False, "nothing seen for 2 s: stale");
        var chain = new ChainedStore([b, _database]);

        Assert.That((await chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
        Assert.That(Volatile.Read(ref _times), Is.EqualTo(1), "a stale clock: the read sent TIME behind its GET");
        await Backplane.RedisBackplaneTests.WaitUntilAsync(() => Task.FromResult(b.WriteClock.TryLease(out _)), TimeSpan.FromSeconds(10));

        var missing = TestStores.NewProduct();
        await _database.PutAsync(missing);
        _database.Release();
        Assert.That((await chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
        Assert.That((await chain.GetAsync<Product, int>(missing.Id))?.Name, Is.EqualTo(missing.Name));
        Assert.That(await chain.SettleAsync(default), Is.True);
        Assert.That(Volatile.Read(ref _times), Is.EqualTo(1), "the hit's TIME reply fed the clock: the next hit and miss sent none");
        Assert.That((await _a.GetAsync<Product, int>(missing.Id))?.Name, Is.EqualTo(missing.Name), "the miss's back-fill, with the clock's lease, was written");
    }

    [Test]
    public async Task GetAsync_MissWithAStaleClock_WaitsForTime_ItsReplyFeedsTheClock([Values] bool batch)
    {
        var time = new FakeTimeProvider();
        await using var b = TestStores.Create(_faulty, o => o.KeyPrefix = _b.KeyPrefixForTests, clockTime: time);
        var product = TestStores.NewProduct();
        await _database.PutAsync(product);
        _database.Release();
        Assert.That(await b.GetAsync<Product, int>(product.Id), Is.Null, "B started (its clear fence's time)");
        time.Advance(TimeSpan.FromSeconds(2));
        var chain = new ChainedStore([b, _database]);

        Assert.That((await ReadAsync(chain, product.Id, batch))?.Name, Is.EqualTo(product.Name));
        Assert.That(Volatile.Read(ref _times), Is.EqualTo(1), "a stale clock: the miss's lease is the server's TIME");
        Assert.That(b.WriteClock.TryLease(out _), Is.True, "the TIME reply a miss waited for fed the clock before the read returned");
        Assert.That(await chain.SettleAsync(default), Is.True);
        Assert.That((await _a.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "the back-fill carried the TIME lease and was written");
    }

    private static async Task<Product?> ReadAsync(ChainedStore chain, int id, bool batch) =>
        batch ? (await chain.GetManyAsync<Product, int>([id]))[0] : await chain.GetAsync<Product, int>(id);

    private static bool IsClock(string method, object?[] args) =>
        method == nameof(IDatabase.ExecuteAsync) && args is [string command, ..] && command == RedisServerTime.Command;
}
