using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Cluster;

/// <summary>
/// The key layout (<see cref="RedisKeyPatterns"/>) on a real three-master cluster: what one script touches for one
/// object shares a hash slot, so it never fails with CROSSSLOT, while objects of one type spread over every master.
/// </summary>
public sealed class RedisClusterKeyLayoutTests
{
    private const string TouchAll = "for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[1], 'PX', 60000) end return #KEYS";

    private ConnectionMultiplexer _multiplexer = null!;
    private IDatabase _database = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync()
    {
        (_, _multiplexer) = await RedisClusterEnvironment.GetAsync();
        _database = _multiplexer.GetDatabase();
    }

    [Test]
    public async Task OneObjectsKeys_ShareOneSlot_AndOneScriptTouchesThemAll()
    {
        var prefix = TestStores.UniquePrefix();
        var product = TestStores.NewProduct();
        var primary = TestStores.KeyOf(prefix, EntityKey.For<Product>(product.Id));
        var alternate = TestStores.KeyOf(prefix, EntityKey.Of<Product>(nameof(Product.Sku), product.Sku));
        RedisKey[] ofPrimary = [primary, primary + RedisKeyPatterns.SideRecordSuffix, primary + RedisKeyPatterns.FenceSuffix];
        RedisKey[] ofAlternate = [alternate, alternate + RedisKeyPatterns.FenceSuffix];

        Assert.That(await SlotsAsync(ofPrimary), Has.Count.EqualTo(1), "value, side record and fence of a primary key");
        Assert.That(await SlotsAsync(ofAlternate), Has.Count.EqualTo(1), "pointer and fence of an alternate key");
        Assert.That((int)await _database.ScriptEvaluateAsync(TouchAll, ofPrimary, ["v"]), Is.EqualTo(3));
        Assert.That((int)await _database.ScriptEvaluateAsync(TouchAll, ofAlternate, ["v"]), Is.EqualTo(2));
    }

    [Test]
    public async Task KeysOfTwoObjects_InOneScript_FailWithCrossSlot_TheFailureTheLayoutAvoids()
    {
        var prefix = TestStores.UniquePrefix();
        var keys = Enumerable.Range(0, 50).Select(_ => (RedisKey)TestStores.KeyOf(prefix, EntityKey.For<Product>(TestStores.NextId()))).ToArray();
        Assert.That(await SlotsAsync(keys), Has.Count.GreaterThan(1));

        var ex = Assert.CatchAsync<Exception>(async () => await _database.ScriptEvaluateAsync(TouchAll, keys, ["v"]));
        Assert.That(ex!.Message, Does.Contain("CROSSSLOT").Or.Contain("single slot"));
    }

    [Test]
    public async Task ObjectsOfOneType_SpreadOverEveryMaster()
    {
        var prefix = TestStores.UniquePrefix();
        var keys = Enumerable.Range(0, 300).Select(_ => (RedisKey)TestStores.KeyOf(prefix, EntityKey.For<Product>(TestStores.NextId()))).ToArray();
        var server = _multiplexer.GetServer(_multiplexer.GetEndPoints()[0]);
        var configuration = await server.ClusterNodesAsync();

        var masters = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slot in await SlotsAsync(keys))
        {
            masters.Add(configuration!.GetBySlot(slot)!.NodeId);
        }

        Assert.That(masters, Has.Count.EqualTo(3), "no hot slot per type: a type's objects land on all three masters");
    }

    /// <summary>The distinct slots of keys, as the cluster itself computes them (<c>CLUSTER KEYSLOT</c>).</summary>
    private async Task<HashSet<int>> SlotsAsync(IEnumerable<RedisKey> keys)
    {
        var slots = new HashSet<int>();
        foreach (var key in keys)
        {
            slots.Add((int)await _database.ExecuteAsync("CLUSTER", "KEYSLOT", key));
        }

        return slots;
    }
}
