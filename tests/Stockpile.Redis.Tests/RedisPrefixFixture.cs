using StackExchange.Redis;

namespace Stockpile.Redis.Tests;

/// <summary>
/// A fixture whose every test gets a multiplexer of its own to the shared redis-server and a fresh key prefix, and
/// makes the stores it needs under that prefix with <see cref="CreateStore"/> (two stores play two instances); they
/// are disposed after the test, then the multiplexer.
/// </summary>
public abstract class RedisPrefixFixture
{
    private readonly List<RedisStore> _stores = [];

    /// <summary>The test's multiplexer.</summary>
    private protected ConnectionMultiplexer _connection = null!;

    /// <summary>The test's database, to read and plant keys behind the stores' backs.</summary>
    private protected IDatabase _database = null!;

    /// <summary>The test's key prefix.</summary>
    private protected string _prefix = null!;

    [SetUp]
    public async Task ConnectAsync()
    {
        _connection = await RedisTestEnvironment.ConnectAsync();
        _database = _connection.GetDatabase();
        _prefix = TestStores.UniquePrefix();
    }

    [TearDown]
    public async Task DisconnectAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _stores.Clear();
        await _connection.DisposeAsync();
    }

    /// <summary>Creates a store over the test's multiplexer under its prefix, configured further by <paramref name="configure"/>.</summary>
    private protected RedisStore CreateStore(Action<RedisStoreOptions>? configure = null)
    {
        var store = TestStores.Create(_connection, o =>
        {
            o.KeyPrefix = _prefix;
            configure?.Invoke(o);
        });
        _stores.Add(store);
        return store;
    }
}
