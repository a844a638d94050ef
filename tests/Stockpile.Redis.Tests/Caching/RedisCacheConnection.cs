using StackExchange.Redis;
using Stockpile.Redis.Caching;
using Stockpile.Testing.Caching;

namespace Stockpile.Redis.Tests.Caching;

/// <summary>
/// One multiplexer per fixture (to the shared server or the shared cluster), and caches on it whose namespace is the
/// current test's own: two caches made in one test share it, so a flush of one can be seen not to touch the other.
/// </summary>
internal sealed class RedisCacheConnection(RedisCacheLayout layout, bool cluster) : IStockpileCacheHost
{
    /// <summary>Gets the fixtures a cache contract suite runs in on Redis: memory over Redis and Redis alone, on a server and on the cluster.</summary>
    public static IEnumerable<TestFixtureData> Layouts { get; } =
    [
        new(RedisCacheLayout.MemoryThenRedis, false),
        new(RedisCacheLayout.RedisOnly, false),
        new(RedisCacheLayout.MemoryThenRedis, true),
        new(RedisCacheLayout.RedisOnly, true),
    ];

    private readonly string _run = Guid.NewGuid().ToString("N");
    private ConnectionMultiplexer? _connection;

    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("Not connected.");

    /// <summary>Gets the store prefix of the current test.</summary>
    public string StorePrefix => $"sp-test:{_run}:{TestContext.CurrentContext.Test.ID}:";

    /// <inheritdoc/>
    public bool HasMemoryLevel => layout == RedisCacheLayout.MemoryThenRedis;

    public async Task ConnectAsync() => _connection = await RedisTestEnvironment.ConnectAsync(cluster);

    /// <inheritdoc/>
    Task IStockpileCacheHost.StartAsync() => ConnectAsync();

    public StockpileCache Create(StockpileCacheOptions options) => Create(options, Connection);

    /// <summary>Creates a cache in the current test's namespace over a given multiplexer (a second one plays another process).</summary>
    public StockpileCache Create(StockpileCacheOptions options, IConnectionMultiplexer multiplexer) => Create(options, multiplexer, out _);

    /// <summary>Creates a cache as <see cref="Create(StockpileCacheOptions, IConnectionMultiplexer)"/> does, and gives its backplane (memory over Redis).</summary>
    public StockpileCache Create(StockpileCacheOptions options, IConnectionMultiplexer multiplexer, out RedisCacheBackplane? backplane) =>
        RedisCacheFactory.Create(options, _ => new(multiplexer), StorePrefix, layout, out backplane);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
