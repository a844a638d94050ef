using Microsoft.Extensions.Time.Testing;
using Stockpile.Redis.Internal;
using StackExchange.Redis;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;
using Stockpile.Testing.Logging;

namespace Stockpile.Redis.Tests;

/// <summary>
/// Redis unreachable, with its data intact (a partition, not a restart): writes are skipped and recorded, the circuit
/// opens and recovers, and what Redis still holds of changed objects is removed before it is read again.
/// </summary>
/// <param name="cluster">Whether to run against the three-master cluster (the clean-up then runs slot by slot).</param>
[TestFixture(false, TestName = "RedisStoreFailSafeTests(server)")]
[TestFixture(true, TestName = "RedisStoreFailSafeTests(cluster)")]
public sealed class RedisStoreFailSafeTests(bool cluster) : RedisFixture
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Sampling = TimeSpan.FromSeconds(5);
    private FaultyRedis _faulty = null!;
    private FakeTimeProvider _time = null!;
    private CapturingLoggerProvider _logs = null!;

    private protected override bool RunsOnCluster => cluster;

    [SetUp]
    public void SetUp()
    {
        _faulty = new FaultyRedis(_connection);
        _time = new FakeTimeProvider();
        _logs = new CapturingLoggerProvider();
    }

    [TearDown]
    public void TearDown() => _logs.Dispose();

    [Test]
    public async Task DeleteAsync_RedisDown_IsSkipped_AndTheStaleValueIsRemovedBeforeTheNextRead()
    {
        await using var store = Create();
        var product = TestStores.NewProduct();
        await store.PutAsync(product);

        _faulty.Fault = FaultyRedis.Down;
        Assert.That(await store.DeleteAsync(product), Is.False, "skipped: nothing is known to be deleted");
        _faulty.Fault = null;

        Assert.That(await RawGetAsync(store, product), Is.Not.Null, "Redis still holds the old value");
        Assert.That(await store.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)), Is.Null);
        Assert.That(await RawGetAsync(store, product), Is.Null);
        Assert.That(store.MissedKeyCount, Is.Zero);
        Assert.That(EventNames(), Does.Contain("WriteSkipped").And.Contain("MissedKeysRemoved"));
    }

    [Test]
    public async Task PutAsync_RedisDown_IsSkipped_AndTheOldValueIsNeverServed()
    {
        await using var store = Create();
        var product = TestStores.NewProduct();
        await store.PutAsync(product);

        _faulty.Fault = FaultyRedis.Slow;
        await store.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "changed" });
        _faulty.Fault = null;

        Assert.That(await store.GetAsync<Product, int>(product.Id), Is.Null, "a miss, not the old name");
    }

    [Test]
    public async Task CircuitOpens_FailsFast_ThenProbesCleansUpAndCloses()
    {
        // One missed key per skipped put: without the other layout's primary key, which a skipped put records too.
        await using var store = Create(o =>
        {
            o.CircuitBreaker.FailureThreshold = 2;
            o.EvictOtherKeyLayout = false;
        });
        var product = TestStores.NewProduct();
        await store.PutAsync(product);
        await store.DeleteAsync(EntityKey.For<Product>(TestStores.NextId()));
        _time.Advance(Sampling); // the successes leave the breaker's window

        _faulty.Fault = FaultyRedis.Down;
        for (var i = 0; i < 2; i++)
        {
            Assert.ThrowsAsync<RedisConnectionException>(async () => await store.GetAsync<Product, int>(product.Id));
        }

        Assert.That(store.CircuitState, Is.EqualTo(RedisCircuitState.Open));
        _faulty.Fault = null;
        _faulty.Reset();

        Assert.ThrowsAsync<RedisCircuitOpenException>(async () => await store.GetAsync<Product, int>(product.Id));
        await store.DeleteAsync(product);
        Assert.That(_faulty.RoundTrips, Is.Zero, "nothing reaches Redis while the circuit is open");
        Assert.That(store.MissedKeyCount, Is.EqualTo(1));

        _time.Advance(Break);
        var afterBreak = await store.GetAsync<Product, int>(product.Id);

        Assert.Multiple(() =>
        {
            Assert.That(afterBreak, Is.Null, "the probe removed the object whose delete was skipped, then read");
            Assert.That(store.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
            var commands = _faulty.Commands.ToArray();
            Assert.That(commands[^1], Is.EqualTo("StringGetAsync"), "a plain read, after the clean-up");
            Assert.That(commands[..^1], cluster
                ? Has.Length.GreaterThan(1).And.All.EqualTo("ScriptEvaluateAsync")
                : Is.EqualTo(new[] { "ScriptEvaluateAsync" }), "the clean-up (one script; slot by slot on a cluster) came before the read");
            Assert.That(EventNames(), Does.Contain("CircuitOpened").And.Contain("CircuitHalfOpen").And.Contain("CircuitClosed").And.Contain("WriteSkippedCircuitOpen"));
        });
    }

    [Test]
    public async Task ProbeFailsInCleanup_StaysOpen_NothingIsRead()
    {
        await using var store = Create(o => o.CircuitBreaker.FailureThreshold = 2);
        var product = TestStores.NewProduct();
        await store.PutAsync(product);
        _time.Advance(Sampling);
        _faulty.Fault = FaultyRedis.Down;
        await store.DeleteAsync(product);
        await store.DeleteAsync(EntityKey.For<Product>(TestStores.NextId()));
        Assert.That(store.CircuitState, Is.EqualTo(RedisCircuitState.Open));
        _time.Advance(Break);

        Assert.ThrowsAsync<RedisConnectionException>(async () => await store.GetAsync<Product, int>(product.Id));

        Assert.That(store.CircuitState, Is.EqualTo(RedisCircuitState.Open));
        Assert.That(_faulty.Commands.Last(), Is.EqualTo("ScriptEvaluateAsync"), "the clean-up came first and failed; the read was not sent");
        Assert.That(EventNames(), Does.Contain("CircuitReopened").And.Contain("MissedKeysCleanupFailed"));
    }

    [Test]
    public async Task MissedMoreThanRemembered_ClearsThePrefixBeforeReuse()
    {
        await using var store = Create(o => o.MissedKeyCapacity = 2);
        var products = Enumerable.Range(0, 4).Select(_ => TestStores.NewProduct()).ToList();
        await store.PutManyAsync(products);

        _faulty.Fault = FaultyRedis.Down;
        foreach (var product in products.Take(3))
        {
            await store.DeleteAsync(product);
        }

        _faulty.Fault = null;

        Assert.That(await store.GetAsync<Product, int>(products[3].Id), Is.Null, "everything under the prefix went, even what was not missed");
        Assert.That(await TestStores.KeysUnderAsync(_connection, store.KeyPrefixForTests), Is.Empty);
        Assert.That(EventNames(), Does.Contain("MissedKeysOverflowed").And.Contain("MissedKeysCleared"));
    }

    [Test]
    public async Task ClearAsync_RedisDown_ClearsThePrefixWhenBack()
    {
        await using var store = Create();
        var product = TestStores.NewProduct();
        await store.PutAsync(product);

        _faulty.Fault = FaultyRedis.Down;
        await store.ClearAsync(typeof(Product));
        _faulty.Fault = null;

        Assert.That(await store.GetAsync<Product, int>(product.Id), Is.Null);
    }

    [Test]
    public async Task ThrowOnUnavailableWrites_PutThrows_AndIsStillCleanedUp()
    {
        await using var store = Create(o => o.ThrowOnUnavailableWrites = true);
        var product = TestStores.NewProduct();
        await store.PutAsync(product);

        _faulty.Fault = FaultyRedis.Down;
        Assert.ThrowsAsync<RedisConnectionException>(async () => await store.PutAsync(new Product { Id = product.Id, Sku = product.Sku, Name = "changed" }));
        _faulty.Fault = null;

        Assert.That(await store.GetAsync<Product, int>(product.Id), Is.Null);
    }

    [Test]
    public async Task Chain_RedisDown_PutsSucceedAndReadsComeFromTheOtherTiers()
    {
        await using var redis = Create(o => o.CircuitBreaker.FailureThreshold = 2);
        var source = new MemoryStore(new MemoryStoreOptions { Name = "source" });
        var chain = new ChainedStore([new MemoryStore(), redis, source]);
        var product = TestStores.NewProduct();
        await chain.PutAsync(product);
        _time.Advance(Sampling);

        _faulty.Fault = FaultyRedis.Down;
        var changed = new Product { Id = product.Id, Sku = product.Sku, Name = "changed" };
        await chain.PutAsync(changed);
        await chain.DeleteAsync(EntityKey.For<Product>(TestStores.NextId()));
        var whileDown = await chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku));
        await chain.Tiers[0].DeleteAsync(product);
        var afterClear = await chain.GetAsync<Product, int>(product.Id);
        _faulty.Fault = null;
        _time.Advance(Break);
        var afterRecovery = await redis.GetAsync<Product, int>(product.Id);

        Assert.Multiple(() =>
        {
            Assert.That(whileDown?.Name, Is.EqualTo("changed"));
            Assert.That(afterClear?.Name, Is.EqualTo("changed"), "memory evicted: read through to the source while Redis is away");
            Assert.That(afterRecovery, Is.Null, "Redis lost the old value before it was read again");
            Assert.That(redis.CircuitState, Is.EqualTo(RedisCircuitState.Closed));
        });
    }

    private RedisStore Create(Action<RedisStoreOptions>? configure = null) =>
        TestStores.Create(_faulty, o =>
        {
            o.CircuitBreaker.BreakDuration = Break;
            o.CircuitBreaker.SamplingDuration = Sampling;
            configure?.Invoke(o);
        }, _logs.CreateFactory(), _time);

    private async Task<byte[]?> RawGetAsync(RedisStore store, Product product) =>
        (byte[]?)await _connection.GetDatabase().StringGetAsync(TestStores.KeyOf(store.KeyPrefixForTests, EntityKey.For<Product>(product.Id)));

    private string?[] EventNames() => _logs.Entries.Select(e => e.EventId.Name).ToArray();
}
