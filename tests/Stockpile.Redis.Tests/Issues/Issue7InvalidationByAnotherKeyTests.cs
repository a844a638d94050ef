using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Redis.Tests.Fakes;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 7, item 3: two instances share Redis and a database. B misses on one key of a product, reads v1 from the
/// database and pauses before its back-fill; A updates the row to v2 with raw SQL and invalidates the product by
/// another of its keys, while Redis does not hold it (so A's eviction cannot know the key B read by); B resumes.
/// Redis must not keep v1: the back-fill of a read that an invalidation by any key of the object followed is refused.
/// </summary>
public sealed class Issue7InvalidationByAnotherKeyTests
{
    private ConnectionMultiplexer _connection = null!;
    private SqliteFileDatabase _database = null!;
    private RedisStore _redisA = null!;
    private RedisStore _redisB = null!;
    private HeldProductReads _heldB = null!;
    private ChainedStore _chainA = null!;
    private ChainedStore _chainB = null!;

    public enum By
    {
        Id,
        Sku,
    }

    [SetUp]
    public async Task SetUpAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        _database = await SqliteFileDatabase.CreateAsync();
        var prefix = TestStores.UniquePrefix();
        _redisA = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
        _redisB = TestStores.Create(_connection, o => o.KeyPrefix = prefix);
        _heldB = new HeldProductReads(new EfCoreStore<RowDbContext>(_database.CreateFactory()));
        _chainA = new ChainedStore([_redisA, new EfCoreStore<RowDbContext>(_database.CreateFactory())]);
        _chainB = new ChainedStore([_redisB, _heldB]);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _heldB.Release();
        await _redisA.DisposeAsync();
        await _redisB.DisposeAsync();
        await _connection.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Test]
    public async Task BackfillAfterRawUpdateAndInvalidation_ByAnyKey_RedisDoesNotKeepTheOldRow([Values] By readBy, [Values] By invalidateBy, [Values] bool batch)
    {
        var product = TestStores.NewProduct("v1");
        await using (var context = _database.CreateContext())
        {
            context.Add(product);
            await context.SaveChangesAsync();
        }

        var held = _heldB.HoldNextRead();
        var read = batch
            ? _chainB.GetManyAsync<Product>([KeyOf(product, readBy)]).AsTask().ContinueWith(t => t.Result[0], TaskScheduler.Default)
            : _chainB.GetAsync<Product>(KeyOf(product, readBy)).AsTask();
        await held.WaitAsync(TimeSpan.FromSeconds(30));

        await using (var context = _database.CreateContext())
        {
            var table = context.Model.FindEntityType(typeof(Product))!.GetTableName();
            // The table name comes from the model; the id is a parameter.
            var update = "UPDATE \"" + table + "\" SET \"Name\" = 'v2' WHERE \"Id\" = {0}";
            Assert.That(await context.Database.ExecuteSqlRawAsync(update, product.Id), Is.EqualTo(1));
        }

        await _chainA.InvalidateAsync([KeyOf(product, invalidateBy)]);
        _heldB.Release();
        Assert.That((await read)?.Name, Is.EqualTo("v1"), "B read the row before A's update");

        Assert.That((await _redisA.GetAsync<Product, int>(product.Id))?.Name, Is.Not.EqualTo("v1"), "Redis holds the row from before the update, by Id");
        Assert.That((await _redisA.GetAsync<Product>(KeyOf(product, By.Sku)))?.Name, Is.Not.EqualTo("v1"), "Redis holds the row from before the update, by Sku");
        Assert.That((await _chainA.GetAsync<Product>(KeyOf(product, readBy)))?.Name, Is.EqualTo("v2"));
    }

    private static EntityKey KeyOf(Product product, By by) =>
        by == By.Id ? EntityKey.For<Product>(product.Id) : EntityKey.Of<Product>(nameof(Product.Sku), product.Sku);
}
