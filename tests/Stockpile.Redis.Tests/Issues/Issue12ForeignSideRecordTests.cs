using StackExchange.Redis;
using Stockpile.Redis.Internal;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 12, case 8 (a user restricted to the app's keys): the write scripts follow keys they read from Redis itself,
/// the alternate keys a side record lists and the owner a pointer names. A corrupt or foreign record naming a key
/// outside the store's prefix made a put or delete touch that key (remove it, or fail: on a cluster with CROSSSLOT,
/// under an ACL user with NOPERM). Now a key that is not of the store's object shape (<c>prefix{…}</c>, non-empty hash
/// tag) is never touched: it survives, and the put or delete still does its work.
/// </summary>
[NonParallelizable]
public sealed class Issue12ForeignSideRecordTests
{
    private ConnectionMultiplexer _connection = null!;
    private IDatabase _database = null!;
    private RedisStore _store = null!;
    private string _prefix = null!;

    private async Task StartAsync(bool cluster)
    {
        _connection = await RedisTestEnvironment.ConnectAsync(cluster);
        _database = _connection.GetDatabase();
        _prefix = TestStores.UniquePrefix();
        _store = TestStores.Create(_connection, o => o.KeyPrefix = _prefix);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _store.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task PutAsync_SideRecordListsKeysOutsideThePrefix_LeavesThemAndPuts(bool cluster)
    {
        await StartAsync(cluster);
        var product = TestStores.NewProduct("v1");
        await _store.PutAsync(product);
        var primary = PrimaryKey(product);
        var foreign = await ForgeMembersAsync(primary);

        product.Name = "v2";
        await _store.PutAsync(product);

        await AssertSurviveAsync(foreign, "P" + primary);
        Assert.That((await _store.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo("v2"));
        Assert.That((await _store.GetAsync<Product>(SkuKey(product)))?.Name, Is.EqualTo("v2"));
        Assert.That((await _database.SetMembersAsync(primary + RedisKeyPatterns.SideRecordSuffix)).Select(m => (string)m!), Is.EquivalentTo(new[] { TestStores.KeyOf(_prefix, SkuKey(product)) }), "the side record lists only its own key again");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task DeleteAsync_SideRecordListsKeysOutsideThePrefix_LeavesThemAndDeletes(bool cluster)
    {
        await StartAsync(cluster);
        var product = TestStores.NewProduct();
        await _store.PutAsync(product);
        var primary = PrimaryKey(product);
        var foreign = await ForgeMembersAsync(primary);

        Assert.That(await _store.DeleteAsync(EntityKey.For<Product>(product.Id)), Is.True);

        await AssertSurviveAsync(foreign, "P" + primary);
        Assert.That(await _store.GetAsync<Product, int>(product.Id), Is.Null);
        Assert.That(await _store.GetAsync<Product>(SkuKey(product)), Is.Null);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task PutAsync_PointerNamesAnOwnerOutsideThePrefix_LeavesItAndPuts(bool cluster)
    {
        await StartAsync(cluster);
        var product = TestStores.NewProduct();
        var owner = await ForgePointerAsync(product);

        await _store.PutAsync(product);

        await AssertOwnerSurvivesAsync(owner);
        Assert.That((await _store.GetAsync<Product>(SkuKey(product)))?.Id, Is.EqualTo(product.Id), "the pointer is the product's now");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task DeleteAsync_PointerNamesAnOwnerOutsideThePrefix_LeavesItAndRemovesThePointer(bool cluster)
    {
        await StartAsync(cluster);
        var product = TestStores.NewProduct();
        var owner = await ForgePointerAsync(product);

        Assert.That(await _store.DeleteAsync(SkuKey(product)), Is.False, "no object of the store was there");

        await AssertOwnerSurvivesAsync(owner);
        Assert.That(await _database.KeyExistsAsync(TestStores.KeyOf(_prefix, SkuKey(product))), Is.False, "the forged pointer under the store's own key is gone");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task RemoveByTagAsync_TagListsKeysOutsideThePrefix_LeavesThemAndRemovesTheTagged(bool cluster)
    {
        await StartAsync(cluster);
        var tenant = TestStores.NextId();
        var order = new TenantOrder { Id = TestStores.NextId(), Number = $"N-{tenant}", TenantId = tenant, Note = "v1" };
        await _store.PutAsync(order);
        var foreign = RedisKeyPatterns.ObjectKey(TestStores.UniquePrefix(), "TenantOrder|Id|1");
        await _database.StringSetAsync(foreign, "not ours", TimeSpan.FromMinutes(1));
        await _database.SetAddAsync(RedisKeyPatterns.TagSetKey(_prefix, $"tenant:{tenant}"), foreign);

        await _store.RemoveByTagAsync($"tenant:{tenant}");

        Assert.That((string?)await _database.StringGetAsync(foreign), Is.EqualTo("not ours"), "outside the prefix: untouched");
        Assert.That(await _store.GetAsync<TenantOrder, int>(order.Id), Is.Null, "the tagged order is removed");
    }

    private static EntityKey SkuKey(Product product) => EntityKey.Of<Product>(nameof(Product.Sku), product.Sku);

    private string PrimaryKey(Product product) => TestStores.KeyOf(_prefix, EntityKey.For<Product>(product.Id));

    /// <summary>
    /// Adds to an object's side record keys outside the store's prefix, each holding the object's pointer (what the
    /// scripts remove as the object's own): another store's object key (hash-tagged, one slot with its fence), a plain
    /// key, a key that starts with the prefix but has no brace, and one of the shape with an empty hash tag.
    /// </summary>
    private async Task<string[]> ForgeMembersAsync(string primary)
    {
        string[] foreign =
        [
            RedisKeyPatterns.ObjectKey(TestStores.UniquePrefix(), "Product|Id|1"),
            RedisTestEnvironment.UniqueKey("plain"),
            _prefix + "session:" + Guid.NewGuid().ToString("N"),
            _prefix + "{}" + Guid.NewGuid().ToString("N") + "}",
        ];
        foreach (var key in foreign)
        {
            await _database.StringSetAsync(key, "P" + primary, TimeSpan.FromMinutes(1));
            await _database.SetAddAsync(primary + RedisKeyPatterns.SideRecordSuffix, key);
        }

        return foreign;
    }

    /// <summary>Points the product's SKU key at an owner outside the prefix, whose side record lists the SKU key (as the scripts evict a previous owner).</summary>
    private async Task<string> ForgePointerAsync(Product product)
    {
        var alternate = TestStores.KeyOf(_prefix, SkuKey(product));
        var owner = RedisKeyPatterns.ObjectKey(TestStores.UniquePrefix(), "Product|Id|1");
        await _database.StringSetAsync(owner, "not ours", TimeSpan.FromMinutes(1));
        await _database.SetAddAsync(owner + RedisKeyPatterns.SideRecordSuffix, alternate);
        await _database.KeyExpireAsync(owner + RedisKeyPatterns.SideRecordSuffix, TimeSpan.FromMinutes(1));
        await _database.StringSetAsync(alternate, "P" + owner);
        return owner;
    }

    private async Task AssertSurviveAsync(string[] keys, string value)
    {
        foreach (var key in keys)
        {
            Assert.That((string?)await _database.StringGetAsync(key), Is.EqualTo(value), $"{key} is outside the prefix: untouched");
        }
    }

    private async Task AssertOwnerSurvivesAsync(string owner)
    {
        Assert.That((string?)await _database.StringGetAsync(owner), Is.EqualTo("not ours"), "the owner is outside the prefix: untouched");
        Assert.That(await _database.SetLengthAsync(owner + RedisKeyPatterns.SideRecordSuffix), Is.EqualTo(1), "its side record too");
    }
}
