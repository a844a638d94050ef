using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests;

/// <summary>
/// A fixture over a private redis-server of its own (<see cref="RedisServer"/>): started before the fixture's first test,
/// stopped after its last. For tests that count the server's commands (<c>INFO commandstats</c>) or pause it, which
/// nothing else may touch; mark the fixture <c>[NonParallelizable]</c>, since its tests read the same counters.
/// </summary>
public abstract class PrivateRedisServerFixture
{
    /// <summary>The fixture's server, started in <see cref="StartRedis"/>.</summary>
    private protected RedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedis() => _redis = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopRedis() => await _redis.DisposeAsync();
}
