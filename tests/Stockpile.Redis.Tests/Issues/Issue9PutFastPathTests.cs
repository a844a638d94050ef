using StackExchange.Redis;
using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 9 (the put within 1.5x of one <c>EVALSHA</c>): a put of one object that keeps its alternate keys runs inline at
/// the top of the put script (no Lua closure or table; the fences in one <c>HSET</c> written out for up to two
/// alternate keys, built in a table for more), and falls through to the general code when a pointer was another
/// object's or missing, or the side record must change. These pin both ways out for objects of two and three
/// alternate keys (the shared test entities have at most one): every key fenced with the put's time, every pointer
/// and side-record member in place, and an object whose keys were taken evicted (once, whichever way it lost them).
/// </summary>
public sealed class Issue9PutFastPathTests : RedisPrefixFixture
{
    private RedisStore _store = null!;

    [SetUp]
    public void CreateStores() => _store = CreateStore(static o => o.DefaultLifetime = TimeSpan.FromMinutes(30));

    [TestCase(2)]
    [TestCase(3)]
    public async Task PutAsync_SameKeysAgain_FencesEveryKeyAndRenewsEveryEntry(int alternates)
    {
        var item = NewItem(alternates);
        await _store.PutAsync(item);
        var read = await _store.ReadForChainAsync(KeyOf(item, 1), default);
        var before = await FenceBuckets.ServerMicrosecondsAsync(_database);

        // The same keys: the fast path, to its end.
        await _store.PutAsync(Renamed(item, "again"));

        var after = await FenceBuckets.ServerMicrosecondsAsync(_database);
        var keys = Keys(item);
        Assert.That(await FenceBuckets.FencesAsync(_database, _prefix, keys, FenceBuckets.Bucket(before), FenceBuckets.Bucket(after)), Has.All.InRange(before, after), "every key is fenced with the put's time");
        Assert.That(await SideRecordAsync(item), Is.EquivalentTo(keys.Skip(1)));
        foreach (var key in keys.Append(keys[0] + RedisKeyPatterns.SideRecordSuffix))
        {
            Assert.That((await _database.KeyTimeToLiveAsync(key))?.TotalMinutes, Is.InRange(29.5, 30), key);
        }

        for (var k = 1; k <= alternates; k++)
        {
            Assert.That((await GetAsync(KeyOf(item, k)))?.Name, Is.EqualTo("again"), $"by alternate key {k}");
        }

        await _store.BackfillUntypedAsync([Renamed(item, "read before the put")], read.Lease, default);
        Assert.That(await GetAsync(KeyOf(item, 0)), Is.Null, "a back-fill read before the put is refused (and evicts the object)");
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task PutAsync_TakesEveryAlternateKeyOfAnotherObject_EvictsItAndListsTheKeys(int alternates)
    {
        var old = NewItem(alternates);
        await _store.PutAsync(old);
        var taker = NewItem(alternates);
        CopyAlternateKeys(old, taker);

        await _store.PutAsync(taker);

        Assert.That(await GetAsync(KeyOf(old, 0)), Is.Null, "the object the keys were taken from is evicted");
        Assert.That(await _database.KeyExistsAsync(Keys(old)[0] + RedisKeyPatterns.SideRecordSuffix), Is.False);
        Assert.That(await SideRecordAsync(taker), Is.EquivalentTo(Keys(taker).Skip(1)));
        for (var k = 1; k <= alternates; k++)
        {
            Assert.That((await GetAsync(KeyOf(taker, k)))?.Id, Is.EqualTo(taker.Id), $"by alternate key {k}");
        }
    }

    [Test]
    public async Task PutAsync_TakesKeysFromTwoObjects_EvictsBothAndKeepsItsOwnKey()
    {
        var first = NewItem(3);
        var second = NewItem(3);
        await _store.PutAsync(first);
        await _store.PutAsync(second);
        var taker = NewItem(3);
        taker.A = first.A;
        taker.B = second.B;

        await _store.PutAsync(taker);

        Assert.That(await GetAsync(KeyOf(first, 0)), Is.Null);
        Assert.That(await GetAsync(KeyOf(second, 0)), Is.Null);
        Assert.That(await GetAsync(KeyOf(first, 2)), Is.Null, "the evicted objects' other pointers go with them");
        Assert.That(await GetAsync(KeyOf(second, 3)), Is.Null);
        Assert.That(await SideRecordAsync(taker), Is.EquivalentTo(Keys(taker).Skip(1)));
        for (var k = 1; k <= 3; k++)
        {
            Assert.That((await GetAsync(KeyOf(taker, k)))?.Id, Is.EqualTo(taker.Id), $"by alternate key {k}");
        }
    }

    [Test]
    public async Task PutAsync_OneOfThreeAlternateKeysChanges_DropsOnlyItsPointer()
    {
        var item = NewItem(3);
        await _store.PutAsync(item);
        var changed = (ThreeKeyItem)Renamed(item, "changed");
        changed.C = $"C-changed-{item.Id}";

        await _store.PutAsync(changed);

        Assert.That(await GetAsync(KeyOf(item, 3)), Is.Null, "the old key is no longer the object's");
        Assert.That(await SideRecordAsync(item), Is.EquivalentTo(Keys(changed).Skip(1)));
        for (var k = 1; k <= 3; k++)
        {
            Assert.That((await GetAsync(KeyOf(changed, k)))?.Name, Is.EqualTo("changed"), $"by alternate key {k}");
        }
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task PutScript_ShortForm_WritesWhatTheLongFormWrites(int alternates)
    {
        // The short form (prefix, stamp, value, lifetime) is what the store's hot path sends for one object; the long
        // form (lease, prefix, stamp, then count, value, lifetime) what every other put sends. Each writes a new object,
        // then the same object again (the fast path to its end).
        var shortItem = NewItem(alternates);
        var longItem = NewItem(alternates);
        foreach (var round in new[] { "first", "again" })
        {
            var before = await FenceBuckets.ServerMicrosecondsAsync(_database);
            var shortTime = await PutByScriptAsync(Renamed(shortItem, round), shortForm: true);
            var longTime = await PutByScriptAsync(Renamed(longItem, round), shortForm: false);
            var after = await FenceBuckets.ServerMicrosecondsAsync(_database);

            foreach (var (item, time) in new[] { (shortItem, shortTime), (longItem, longTime) })
            {
                var keys = Keys(item);
                Assert.That(time, Is.InRange(before, after), "the script returns the server time");
                Assert.That(await FenceBuckets.FencesAsync(_database, _prefix, keys, FenceBuckets.Bucket(before), FenceBuckets.Bucket(after)), Has.All.InRange(before, after), "every key is fenced with the put's time");
                Assert.That(await SideRecordAsync(item), Is.EquivalentTo(keys.Skip(1)));
                foreach (var key in keys.Append(keys[0] + RedisKeyPatterns.SideRecordSuffix))
                {
                    Assert.That((await _database.KeyTimeToLiveAsync(key))?.TotalMinutes, Is.InRange(29.5, 30), key);
                }

                for (var k = 0; k <= alternates; k++)
                {
                    Assert.That((await GetAsync(KeyOf(item, k)))?.Name, Is.EqualTo(round), $"{round}, by key {k}");
                }
            }
        }
    }

    [Test]
    public async Task PutScript_ShortFormTakingAnotherObjectsKeys_EvictsItThroughTheGeneralCode()
    {
        var old = NewItem(3);
        await _store.PutAsync(old);
        var taker = NewItem(3);
        CopyAlternateKeys(old, taker);
        taker.Name = "taker";

        await PutByScriptAsync(taker, shortForm: true);

        Assert.That(await GetAsync(KeyOf(old, 0)), Is.Null, "the object the keys were taken from is evicted");
        Assert.That(await _database.KeyExistsAsync(Keys(old)[0] + RedisKeyPatterns.SideRecordSuffix), Is.False);
        Assert.That(await SideRecordAsync(taker), Is.EquivalentTo(Keys(taker).Skip(1)));
        for (var k = 1; k <= 3; k++)
        {
            Assert.That((await GetAsync(KeyOf(taker, k)))?.Name, Is.EqualTo("taker"), $"by alternate key {k}");
        }
    }

    /// <summary>Puts an object with the put script directly, in its short form or its long one, as a store writes it (30 minutes' lifetime, a fresh stamp).</summary>
    private async Task<long> PutByScriptAsync(IItem item, bool shortForm)
    {
        var stamp = await FenceBuckets.ServerMicrosecondsAsync(_database);
        var value = StoredPayload.Value(item, SystemTextJsonStockpileSerializer.Default);
        var keys = Keys(item).Select(static k => (RedisKey)k).ToArray();
        RedisValue[] arguments = shortForm
            ? [_prefix, stamp, value, 1_800_000]
            : [string.Empty, _prefix, stamp, keys.Length - 1, value, 1_800_000];
        return (long)await RedisScripts.Put.EvaluateAsync(_database, keys, arguments, CancellationToken.None);
    }

    private static IItem NewItem(int alternates)
    {
        var id = TestStores.NextId();
        return alternates == 2
            ? new TwoKeyItem { Id = id, A = $"A-{id}", B = $"B-{id}" }
            : new ThreeKeyItem { Id = id, A = $"A-{id}", B = $"B-{id}", C = $"C-{id}" };
    }

    private static IItem Renamed(IItem item, string name)
    {
        var copy = item is ThreeKeyItem three ? new ThreeKeyItem { C = three.C } : (IItem)new TwoKeyItem();
        copy.Id = item.Id;
        copy.Name = name;
        CopyAlternateKeys(item, copy);
        return copy;
    }

    private static void CopyAlternateKeys(IItem from, IItem to)
    {
        to.A = from.A;
        to.B = from.B;
        if (from is ThreeKeyItem source && to is ThreeKeyItem target)
        {
            target.C = source.C;
        }
    }

    /// <summary>The item's keys: 0 the primary key, then its alternate keys in declaration order.</summary>
    private static EntityKey KeyOf(IItem item, int index) => item switch
    {
        TwoKeyItem two => index switch
        {
            0 => EntityKey.For<TwoKeyItem>(two.Id),
            1 => EntityKey.Of<TwoKeyItem>(nameof(IItem.A), two.A),
            _ => EntityKey.Of<TwoKeyItem>(nameof(IItem.B), two.B),
        },
        ThreeKeyItem three => index switch
        {
            0 => EntityKey.For<ThreeKeyItem>(three.Id),
            1 => EntityKey.Of<ThreeKeyItem>(nameof(IItem.A), three.A),
            2 => EntityKey.Of<ThreeKeyItem>(nameof(IItem.B), three.B),
            _ => EntityKey.Of<ThreeKeyItem>(nameof(ThreeKeyItem.C), three.C),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(item)),
    };

    private string[] Keys(IItem item) => [.. Enumerable.Range(0, item is ThreeKeyItem ? 4 : 3).Select(i => TestStores.KeyOf(_prefix, KeyOf(item, i)))];

    private async Task<IItem?> GetAsync(EntityKey key) => key.EntityType.ClrType == typeof(TwoKeyItem)
        ? await _store.GetAsync<TwoKeyItem>(key)
        : await _store.GetAsync<ThreeKeyItem>(key);

    private async Task<string[]> SideRecordAsync(IItem item) =>
        [.. (await _database.SetMembersAsync(Keys(item)[0] + RedisKeyPatterns.SideRecordSuffix)).Select(m => (string)m!)];

    /// <summary>What the tests read of either item type (the keys are declared on each type, which share no base class).</summary>
    public interface IItem
    {
        int Id { get; set; }

        string A { get; set; }

        string B { get; set; }

        string Name { get; set; }
    }

    public sealed class TwoKeyItem : IItem
    {
        [StockpileKey]
        public int Id { get; set; }

        [StockpileKey]
        public string A { get; set; } = "";

        [StockpileKey]
        public string B { get; set; } = "";

        public string Name { get; set; } = "";
    }

    public sealed class ThreeKeyItem : IItem
    {
        [StockpileKey]
        public int Id { get; set; }

        [StockpileKey]
        public string A { get; set; } = "";

        [StockpileKey]
        public string B { get; set; } = "";

        [StockpileKey]
        public string C { get; set; } = "";

        public string Name { get; set; } = "";
    }
}
