using Microsoft.Extensions.DependencyInjection;
using Stockpile.Redis.Caching;
using Stockpile.Redis.Tests.Cluster;

namespace Stockpile.Redis.Tests.Containers;

/// <summary>
/// Issue 11: a container kept in a named cache on Redis (a server, or the cluster), shared by two application instances:
/// what A's generator made, B reads without running its own; a lifetime written as text reaches Redis.
/// </summary>
/// <param name="cluster">Whether to run against the cluster.</param>
[TestFixture(false)]
[TestFixture(true)]
public sealed class RedisContainerTests(bool cluster)
{
    private string _connection = "";

    [OneTimeSetUp]
    public async Task ConnectAsync() =>
        _connection = cluster ? (await RedisClusterEnvironment.GetAsync()).Cluster.ConnectionString : RedisTestEnvironment.ConnectionString;

    private ServiceProvider StartInstance(string prefix, string name)
    {
        var services = new ServiceCollection();
        services.AddStockpile()
            .AddMemoryStore()
            .AddRedisStore(o =>
            {
                o.Configuration = _connection;
                o.KeyPrefix = prefix;
            })
            .AddRedisCache("shared", RedisCacheLayout.RedisOnly)
            .AddContainer("rates", (_, key, _) => new ValueTask<string>($"{key} made by {name}"), o =>
            {
                o.Cache = "shared";
                o.Lifetime = "2 hours";
            });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    [Test]
    public async Task GetAsync_MadeOnA_ReadOnBWithoutGenerating_LifetimeReachesRedis()
    {
        var prefix = TestStores.UniquePrefix();
        await using var a = StartInstance(prefix, "A");
        await using var b = StartInstance(prefix, "B");

        Assert.That(await a.GetRequiredKeyedService<IStockpileContainer>("rates").GetAsync<string>("EUR"), Is.EqualTo("EUR made by A"));
        Assert.That(await b.GetRequiredKeyedService<IStockpileContainer>("rates").GetAsync<string>("EUR"), Is.EqualTo("EUR made by A"));

        var tier = (RedisCacheTier)b.GetRequiredKeyedService<StockpileCache>("shared").Tier;
        await using var redis = await RedisTestEnvironment.ConnectAsync(cluster);
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(tier.KeyOf("rates:EUR"));
        Assert.That(ttl, Is.Not.Null.And.GreaterThan(TimeSpan.FromHours(1.9)).And.LessThanOrEqualTo(TimeSpan.FromHours(2)));
    }
}
