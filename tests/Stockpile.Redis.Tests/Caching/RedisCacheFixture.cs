using StackExchange.Redis;
using Stockpile.Redis.Caching;

namespace Stockpile.Redis.Tests.Caching;

/// <summary>
/// A fixture of caches on Redis in one layout, over one multiplexer of its own to the shared redis-server or to the
/// shared cluster (<see cref="RedisCacheConnection"/>): connected before the fixture's first test, disposed after its
/// last; each test's caches live in the test's own namespace.
/// </summary>
public abstract class RedisCacheFixture
{
    /// <summary>The fixture's connection, made in <see cref="ConnectAsync"/>.</summary>
    private protected RedisCacheConnection _redis = null!;

    /// <summary>Gets the layout of the fixture's caches.</summary>
    private protected abstract RedisCacheLayout Layout { get; }

    /// <summary>Gets whether the fixture runs against the cluster rather than the server; a fixture run on both overrides it with its parameter.</summary>
    private protected virtual bool RunsOnCluster => false;

    /// <summary>Gets the database of the fixture's multiplexer, to look at what the caches wrote.</summary>
    private protected IDatabase Database => _redis.Connection.GetDatabase();

    [OneTimeSetUp]
    public Task ConnectAsync()
    {
        _redis = new(Layout, RunsOnCluster);
        return _redis.ConnectAsync();
    }

    [OneTimeTearDown]
    public ValueTask DisconnectAsync() => _redis.DisposeAsync();
}
