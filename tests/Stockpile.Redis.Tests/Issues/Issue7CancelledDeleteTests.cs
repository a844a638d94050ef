using StackExchange.Redis;
using Stockpile.Redis.Tests.EfCore;
using Stockpile.Testing.Entities;

namespace Stockpile.Redis.Tests.Issues;

/// <summary>
/// Issue 7, item 10: a cancelled chain delete threw an <see cref="AggregateException"/> of the tiers' cancellations;
/// it throws <see cref="OperationCanceledException"/>, as every other cancelled call does.
/// </summary>
public sealed class Issue7CancelledDeleteTests
{
    private ConnectionMultiplexer _connection = null!;
    private SqliteFileDatabase _database = null!;
    private RedisStore _redis = null!;
    private ChainedStore _chain = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        _database = await SqliteFileDatabase.CreateAsync();
        _redis = TestStores.Create(_connection);
        _chain = new ChainedStore([new MemoryStore(), _redis, new EfCoreStore<RowDbContext>(_database.CreateFactory())]);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _redis.DisposeAsync();
        await _connection.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Test]
    public async Task DeleteAsync_Cancelled_ThrowsOperationCanceled_AndNoCacheKeepsTheObject([Values] bool batch)
    {
        var product = TestStores.NewProduct();
        await _chain.PutAsync(product);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Task delete = batch
            ? _chain.DeleteManyAsync([EntityKey.For<Product>(product.Id)], cancelled.Token).AsTask()
            : _chain.DeleteAsync(EntityKey.For<Product>(product.Id), cancelled.Token).AsTask();

        Assert.That(async () => await delete, Throws.InstanceOf<OperationCanceledException>());
        var inDatabase = await _chain.Tiers[2].GetAsync<Product, int>(product.Id);
        Assert.That((await _chain.GetAsync<Product, int>(product.Id))?.Name, Is.EqualTo(inDatabase?.Name), "the caches agree with the database");
    }
}
