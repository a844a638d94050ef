using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stockpile.Testing.Servers;

namespace Stockpile.Benchmarks;

/// <summary>
/// A key built from three invalidation tokens (an entity, its type, the global token) and one plain value: tokens in
/// the process memory, and on a private redis-server; beside it, what a user would write by hand (a string key with no
/// tokens, and one <c>MGET</c> of three hand-kept tokens on the same server).
/// </summary>
[MemoryDiagnoser]
public class KeyBuilderBenchmarks
{
    private readonly Product _product = new() { Id = 421, Sku = "SKU-421" };
    private readonly RedisKey[] _bareKeys = ["bare:g", "bare:t|Product", "bare:i|Product|421"];
    private RedisServer _server = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private IDatabase _database = null!;
    private ServiceProvider _memoryProvider = null!;
    private ServiceProvider _redisProvider = null!;
    private IStockpileKeyBuilder _memory = null!;
    private IStockpileKeyBuilder _redis = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await RedisServer.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_server.ConnectionString);
        _database = _multiplexer.GetDatabase();
        foreach (var key in _bareKeys)
        {
            await _database.StringSetAsync(key, Guid.NewGuid().ToString("N"));
        }

        var memory = new ServiceCollection();
        memory.AddStockpile().AddMemoryStore().AddInvalidationTokens();
        _memoryProvider = memory.BuildServiceProvider();
        _memory = _memoryProvider.GetRequiredService<IStockpileKeyBuilder>();

        var redis = new ServiceCollection();
        redis.AddStockpile().AddMemoryStore().AddRedisStore(_server.ConnectionString).AddRedisInvalidationTokens();
        _redisProvider = redis.BuildServiceProvider();
        _redis = _redisProvider.GetRequiredService<IStockpileKeyBuilder>();
        await _redis.BuildAsync(Key());
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _memoryProvider.DisposeAsync();
        await _redisProvider.DisposeAsync();
        await _multiplexer.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "string key by hand, no tokens")]
    [BenchmarkCategory("memory")]
    public string Plain() => string.Concat("product-page:", _product.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ":en-GB");

    [Benchmark(Description = "IStockpileKeyBuilder, 3 tokens in memory")]
    [BenchmarkCategory("memory")]
    public async Task<string> Memory() => await _memory.BuildAsync(Key());

    [Benchmark(Description = "MGET of 3 hand-kept tokens (Redis)")]
    [BenchmarkCategory("redis")]
    public async Task<string> BareRedis()
    {
        var values = await _database.StringGetAsync(_bareKeys);
        return string.Concat("product-page:", values[0], values[1], values[2]);
    }

    [Benchmark(Description = "IStockpileKeyBuilder, 3 tokens on Redis")]
    [BenchmarkCategory("redis")]
    public async Task<string> Redis() => await _redis.BuildAsync(Key());

    private StockpileKey Key() => StockpileKey.For("product-page").With(_product).WithType<Product>().WithGlobal().WithValue("en-GB");
}
