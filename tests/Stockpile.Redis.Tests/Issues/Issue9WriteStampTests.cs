using Stockpile.Redis.Internal;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9 (fail-safe, consistency): the put script's side of the write stamp (see <see cref="Issue9LatePutTests"/>
/// for late puts end to end). A put that arrives more than <see cref="RedisScripts.LatePutMilliseconds"/> after its
/// stamp is written only when nothing overtook it; otherwise it evicts its object. The stamps are given here, made
/// from the server's own time, so each case is exact.
/// </summary>
public sealed class Issue9WriteStampTests : RedisPrefixFixture
{
    private const long Late = (RedisScripts.LatePutMilliseconds + 40) * 1000L;

    private RedisStore _store = null!;

    [SetUp]
    public async Task CreateStoresAsync()
    {
        _store = CreateStore();
        await _store.GetAsync<Product, int>(TestStores.NextId()); // connects the store (its clear fence)
    }

    [Test]
    public async Task PutScript_LateAndNothingFencedSince_IsWritten()
    {
        var product = TestStores.NewProduct();
        var sent = await LateStampAsync();

        await PutAsync(product, stamp: sent);

        Assert.That(await _database.KeyExistsAsync(Key(product)), Is.True, "a late put that nothing overtook is written");
        Assert.That((string?)await _database.StringGetAsync(SkuKey(product)), Is.EqualTo("P" + Key(product)));
    }

    [Test]
    public async Task PutScript_LateAndAKeyFencedAfterItsStamp_EvictsTheObject()
    {
        var product = TestStores.NewProduct();
        var sent = await LateStampAsync();
        await _store.PutAsync(product); // a newer put: every key fenced after `sent`

        await PutAsync(product, stamp: sent);

        Assert.That(await _database.KeyExistsAsync(Key(product)), Is.False, "evicted, not written over the newer put");
        Assert.That(await _database.KeyExistsAsync(SkuKey(product)), Is.False, "its pointer too");
    }

    [Test]
    public async Task PutScript_InTimeAfterANewerFence_IsWritten()
    {
        var product = TestStores.NewProduct();
        await _store.PutAsync(product);
        var now = await FenceBuckets.ServerMicrosecondsAsync(_database);

        // Sent just before the other put's fence by the stamp's reckoning, but it arrived at once: concurrent, not late.
        await PutAsync(product, stamp: now - 1);

        Assert.That(await _database.KeyExistsAsync(Key(product)), Is.True);
    }

    [Test]
    public async Task PutScript_StampOlderThanTheFenceLifetime_EvictsTheObject()
    {
        var product = TestStores.NewProduct();
        await _store.PutAsync(product);
        var now = await FenceBuckets.ServerMicrosecondsAsync(_database);

        // Fences older than their lifetime may be gone: nothing can say what overtook it.
        await PutAsync(product, stamp: now - ((RedisScripts.FenceMilliseconds + 1_000) * 1000L));

        Assert.That(await _database.KeyExistsAsync(Key(product)), Is.False);
    }

    [Test]
    public async Task PutScript_LateAfterAClear_EvictsTheObject()
    {
        var product = TestStores.NewProduct();
        var sent = await LateStampAsync();
        await _store.ClearAsync(typeof(Customer)); // fences the whole prefix, not the product's keys

        await PutAsync(product, stamp: sent);

        Assert.That(await _database.KeyExistsAsync(Key(product)), Is.False);
    }

    [Test]
    public async Task WriteClock_StampsNoEarlierThanWhatItSaw_AndNoLaterThanTheServersTime()
    {
        var clock = new RedisWriteClock();
        Assert.That(clock.Stamp(), Is.Zero, "no server time seen: a put stamped 0 is refused, never taken as in time");

        var seen = await FenceBuckets.ServerMicrosecondsAsync(_database);
        clock.Observe(seen);
        var stamp = clock.Stamp();
        var after = await FenceBuckets.ServerMicrosecondsAsync(_database);
        Assert.That(stamp, Is.InRange(seen, after), "after a write returned, a put is stamped no earlier than its fences, and never ahead of the server");

        clock.Observe(seen - 5_000_000);
        clock.Observe((seen - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(clock.Stamp(), Is.GreaterThanOrEqualTo(seen), "an older reply arriving later does not move the stamp back");
    }

    /// <summary>
    /// A stamp after the store's clear fence was started (a clear after the stamp refuses a late put), once the server's
    /// clock is far enough past it that a put with it is late: the clock is waited for, never a sleep of a guessed length.
    /// </summary>
    private async Task<long> LateStampAsync()
    {
        var sent = long.Parse((string)(await _database.StringGetAsync(RedisKeyPatterns.ClearFenceKey(_prefix)))!, System.Globalization.CultureInfo.InvariantCulture) + 1;
        while (await FenceBuckets.ServerMicrosecondsAsync(_database) - sent <= Late)
        {
            await Task.Delay(10);
        }

        return sent;
    }

    private async Task PutAsync(Product product, long stamp) =>
        await RedisScripts.Put.EvaluateAsync(
            _database,
            [Key(product), SkuKey(product)],
            [string.Empty, _prefix, stamp, 1, "O{}", 0],
            CancellationToken.None);

    private string Key(Product product) => TestStores.KeyOf(_prefix, EntityKey.For<Product>(product.Id));

    private string SkuKey(Product product) => TestStores.KeyOf(_prefix, EntityKey.Of<Product>(nameof(Product.Sku), product.Sku));
}
