using StackExchange.Redis;
using Stockpile.Testing.Contract;

namespace Stockpile.Redis.Tests;

/// <summary>
/// The shared store contract on a real redis-server, and on a real three-master Redis Cluster: one multiplexer per
/// fixture, one fresh prefix per test.
/// </summary>
/// <param name="cluster">Whether to run against the cluster.</param>
public abstract class RedisContractTests(bool cluster) : ObjectStoreContractTests
{
    private protected ConnectionMultiplexer Connection { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => Connection = await RedisTestEnvironment.ConnectAsync(cluster);

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await Connection.DisposeAsync();
}

/// <summary>The contract against a <see cref="RedisStore"/> alone.</summary>
[TestFixture(false, TestName = "RedisStoreContractTests(server)")]
[TestFixture(true, TestName = "RedisStoreContractTests(cluster)")]
public sealed class RedisStoreContractTests(bool cluster) : RedisContractTests(cluster)
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() => new(TestStores.Create(Connection));
}

/// <summary>The contract against a chain: memory, then Redis.</summary>
[TestFixture(false, TestName = "ChainedRedisStoreContractTests(server)")]
[TestFixture(true, TestName = "ChainedRedisStoreContractTests(cluster)")]
public sealed class ChainedRedisStoreContractTests(bool cluster) : RedisContractTests(cluster)
{
    protected override ValueTask<ObjectStore> CreateStoreAsync() => new(new ChainedStore([new MemoryStore(), TestStores.Create(Connection)]));
}
