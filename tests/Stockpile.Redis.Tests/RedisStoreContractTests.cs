using Stockpile.Redis.Internal.Resp;
using Stockpile.Testing.Contract;

namespace Stockpile.Redis.Tests;

/// <summary>The shared store contract against a <see cref="RedisStore"/> on a real redis-server.</summary>
[TestFixture]
public sealed class RedisStoreContractTests : ObjectStoreContractTests
{
    private IRedisConnection _connection = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _connection = await RedisTestEnvironment.ConnectAsync();

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await _connection.DisposeAsync();

    protected override ValueTask<ObjectStore> CreateStoreAsync() => new(TestStores.Create(_connection));
}

/// <summary>The shared store contract against a chain: memory, then Redis.</summary>
[TestFixture]
public sealed class ChainedRedisStoreContractTests : ObjectStoreContractTests
{
    private IRedisConnection _connection = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _connection = await RedisTestEnvironment.ConnectAsync();

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await _connection.DisposeAsync();

    protected override ValueTask<ObjectStore> CreateStoreAsync() =>
        new(new ChainedStore([new MemoryStore(), TestStores.Create(_connection)]));
}
