using StackExchange.Redis;

namespace Stockpile.Redis.Tests;

/// <summary>
/// A fixture over one multiplexer of its own to the shared redis-server, or to the shared three-master cluster
/// (<see cref="RedisTestEnvironment"/>): connected before the fixture's first test, disposed after its last. Tests
/// isolate themselves by key prefix (<see cref="TestStores"/>).
/// </summary>
public abstract class RedisFixture
{
    /// <summary>The fixture's multiplexer, connected in <see cref="ConnectAsync"/>.</summary>
    private protected ConnectionMultiplexer _connection = null!;

    /// <summary>Gets whether the fixture runs against the cluster rather than the server; a fixture run on both overrides it with its parameter.</summary>
    private protected virtual bool RunsOnCluster => false;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _connection = await RedisTestEnvironment.ConnectAsync(RunsOnCluster);

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await _connection.DisposeAsync();
}
