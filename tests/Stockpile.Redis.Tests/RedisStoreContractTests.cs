using StackExchange.Redis;
using Stockpile.Testing.Contract;

namespace Stockpile.Redis.Tests;

/// <summary>The shared store contract on a real redis-server: one connection per fixture, one fresh prefix per test.</summary>
public abstract class RedisContractTests : ObjectStoreContractTests
{
    private protected ConnectionMultiplexer Connection { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => Connection = await RedisTestEnvironment.ConnectAsync();

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await Connection.DisposeAsync();
}

/// <summary>The contract against a <see cref="RedisStore"/> alone.</summary>
[TestFixture]
public sealed class RedisStoreContractTests : RedisContractTests
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() => new(TestStores.Create(Connection));
}

/// <summary>The contract against a chain: memory, then Redis.</summary>
[TestFixture]
public sealed class ChainedRedisStoreContractTests : RedisContractTests
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() => new(new ChainedStore([new MemoryStore(), TestStores.Create(Connection)]));
}
