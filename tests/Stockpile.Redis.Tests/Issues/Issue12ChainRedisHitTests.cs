using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, item 2 (a chain read that misses memory and hits Redis, within 1.1x the peers): the chain's read of Redis
/// sends the lease's <c>TIME</c> beside the <c>GET</c> and waited for both replies (<c>Task.WhenAll</c>), each completed
/// by StackExchange.Redis as a thread-pool work item of its own, so every hit waited for whichever of two work items
/// ran last: on a busy machine the chain's read was bimodal (35–42 µs or 111–119 µs for the same read). A hit now waits
/// for its <c>GET</c> alone; only a miss, whose back-fill needs the lease, waits for the clock. Each test holds the
/// <c>TIME</c> reply back (it is sent, and reaches the client, but not the caller) to show which reads wait for it; the
/// store's clock is made stale first, as a read with a fresh one takes its lease from the clock and sends no <c>TIME</c>.
/// </summary>
[TestFixture]
public sealed class Issue12ChainRedisHitTests : RedisFixture
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(10);

    // Past RedisWriteClock.LeaseFreshnessMicros on the store's fake local clock.
    private static readonly TimeSpan s_stale = TimeSpan.FromSeconds(2);

    [Test]
    public Task GetAsync_RedisHitWhileTheClockReplyIsHeld_AnswersWithoutIt() =>
        AssertHitAnswersWhileTheClockIsHeldAsync(static (chain, product) => chain.GetAsync<Product, int>(product.Id));

    [Test]
    public Task GetAsync_ByAlternateKeyRedisHitWhileTheClockReplyIsHeld_AnswersWithoutIt() =>
        // A look-up by alternate key takes the general path (the pointer, then the object): its hits must not wait either.
        AssertHitAnswersWhileTheClockIsHeldAsync(static (chain, product) => chain.GetAsync<Product>(EntityKey.Of<Product>(nameof(Product.Sku), product.Sku)));

    [Test]
    public async Task GetAsync_EachKeyTypeServedFromRedis_FindsWhatPutWrote()
    {
        // The direct read writes the Redis key from the value: it must be the key the store's put wrote, for every key type.
        var faulty = new FaultyRedis(_connection);
        await using var redis = TestStores.Create(faulty);
        var memory = new MemoryStore();
        var chain = new ChainedStore([memory, redis, new MemoryStore()]);
        var product = TestStores.NewProduct();
        var longKeyed = new Issue9PrimaryKeyReadTests.LongKeyed { Id = (1L << 40) + TestStores.NextId(), Name = "long" };
        var guidKeyed = new Issue9PrimaryKeyReadTests.GuidKeyed { Id = Guid.NewGuid(), Name = "guid" };
        string[] codes = ["C-" + TestStores.NextId(), "é中-" + TestStores.NextId(), @"a|b\c-" + TestStores.NextId(), "\uD83D\uDE00-" + TestStores.NextId()];
        await chain.PutAsync(product);
        await chain.PutAsync(longKeyed);
        await chain.PutAsync(guidKeyed);
        await chain.PutManyAsync(codes.Select(c => new Customer { Code = c, Name = "named " + c }));
        await memory.ClearAsync();
        faulty.Reset();

        Assert.That((await chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
        Assert.That((await chain.GetAsync<Issue9PrimaryKeyReadTests.LongKeyed, long>(longKeyed.Id))?.Name, Is.EqualTo("long"));
        Assert.That((await chain.GetAsync<Issue9PrimaryKeyReadTests.GuidKeyed, Guid>(guidKeyed.Id))?.Name, Is.EqualTo("guid"));
        foreach (var code in codes)
        {
            Assert.That((await chain.GetAsync<Customer, string>(code))?.Name, Is.EqualTo("named " + code), code);
        }

        Assert.That(faulty.Commands, Has.None.EqualTo(nameof(IDatabase.ScriptEvaluateAsync)), "every read hit Redis: nothing was back-filled into it");
    }

    [Test]
    public async Task GetAsync_RedisMissWhileTheClockReplyIsHeld_WaitsForTheLeaseThenBackfillsRedis()
    {
        var faulty = new FaultyRedis(_connection);
        var clock = new FakeTimeProvider();
        await using var redis = TestStores.Create(faulty, clockTime: clock);
        var source = new MemoryStore();
        var chain = new ChainedStore([new MemoryStore(), redis, source]);
        await redis.PutAsync(TestStores.NewProduct()); // connects: the chain's reads below take the direct path
        clock.Advance(s_stale); // the store's clock saw no server time for 2 s: the read sends TIME for its lease
        var product = TestStores.NewProduct();
        await source.PutAsync(product);
        faulty.Hold = static (method, args) => IsClock(method.Name, args);

        var read = chain.GetAsync<Product, int>(product.Id).AsTask();
        await Task.Yield();
        Assert.That(read.IsCompleted, Is.False, "a miss read the tiers below without the lease its Redis back-fill needs");
        faulty.ReleaseHeld();

        Assert.That((await read.WaitAsync(s_patience))?.Name, Is.EqualTo(product.Name));
        Assert.That(await chain.SettleAsync(default), Is.True, "the Redis back-fill follows the answer (the default)");
        Assert.That((await redis.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "the back-fill carried the lease and was written");
    }

    [Test]
    public async Task GetAsync_RedisDownOnTheDirectPath_CountsAsAMissAndOpensTheCircuit()
    {
        var faulty = new FaultyRedis(_connection);
        var time = new FakeTimeProvider();
        var sampling = TimeSpan.FromSeconds(30);
        await using var redis = TestStores.Create(faulty, o =>
        {
            o.CircuitBreaker.FailureThreshold = 2;
            o.CircuitBreaker.SamplingDuration = sampling;
        }, breakerTime: time);
        var memory = new MemoryStore();
        var source = new MemoryStore();
        var chain = new ChainedStore([memory, redis, source]);
        var product = TestStores.NewProduct();
        await chain.PutAsync(product);
        Assert.That((await redis.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name));
        time.Advance(sampling); // the successes leave the breaker's window
        faulty.Fault = FaultyRedis.Down;

        for (var i = 0; i < 3 && redis.CircuitState == RedisCircuitState.Closed; i++)
        {
            await memory.ClearAsync();
            Assert.That((await chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(product.Name), "a failed Redis read is a miss: the tier below answers");
        }

        Assert.That(redis.CircuitState, Is.EqualTo(RedisCircuitState.Open), "the direct reads' failures reached the breaker");
    }

    private async Task AssertHitAnswersWhileTheClockIsHeldAsync(Func<ChainedStore, Product, ValueTask<Product?>> get)
    {
        var faulty = new FaultyRedis(_connection);
        var clock = new FakeTimeProvider();
        await using var redis = TestStores.Create(faulty, clockTime: clock);
        var memory = new MemoryStore();
        var chain = new ChainedStore([memory, redis, new MemoryStore()]);
        var product = TestStores.NewProduct();
        await chain.PutAsync(product);
        await memory.ClearAsync();
        clock.Advance(s_stale); // a stale clock: the read sends TIME (with a fresh one it sends none: Issue12ChainReadLeaseTests)
        faulty.Reset();
        faulty.Hold = static (method, args) => IsClock(method.Name, args);
        try
        {
            var read = get(chain, product).AsTask();

            Assert.That(await Task.WhenAny(read, Task.Delay(s_patience)), Is.SameAs(read), "a hit waited for the lease's TIME reply");
            Assert.That((await read)?.Name, Is.EqualTo(product.Name));
            Assert.That(faulty.Commands, Does.Contain(nameof(IDatabase.ExecuteAsync)), "the TIME was still sent with the read (one round trip for a miss)");
            Assert.That(await memory.GetAsync<Product, int>(product.Id), Is.Not.Null, "the hit was back-filled into memory");
        }
        finally
        {
            faulty.ReleaseHeld();
        }
    }

    private static bool IsClock(string method, object?[]? args) =>
        method == nameof(IDatabase.ExecuteAsync) && args is [string command, ..] && command == "TIME";
}
