using Microsoft.Extensions.DependencyInjection;

namespace Stockpile.Redis.Tests.Backplane;

/// <summary>Two app instances, A and B, over one Redis under one fresh prefix, with the same bottom tier.</summary>
internal sealed class AppPair : IAsyncDisposable
{
    private AppPair(AppInstance a, AppInstance b)
    {
        A = a;
        B = b;
    }

    public AppInstance A { get; }

    public AppInstance B { get; }

    public static Task<AppPair> StartAsync(string redis, Action<IStockpileBuilder> addBottom, Action<IServiceCollection>? configure = null, Action<RedisStoreOptions>? configureRedis = null) =>
        StartAsync(redis, redis, addBottom, configure, configureRedis);

    /// <summary>Starts A connected through <paramref name="redisA"/> and B through <paramref name="redisB"/> (two nodes of one cluster, say).</summary>
    public static Task<AppPair> StartAsync(string redisA, string redisB, Action<IStockpileBuilder> addBottom, Action<IServiceCollection>? configure = null, Action<RedisStoreOptions>? configureRedis = null) =>
        StartAsync(redisA, redisB, addBottom, configure, configureRedis, configureRedis);

    /// <summary>Starts A and B with Redis options of their own (A's connections through a tunnel a test cuts, say).</summary>
    public static async Task<AppPair> StartAsync(string redisA, string redisB, Action<IStockpileBuilder> addBottom, Action<IServiceCollection>? configure, Action<RedisStoreOptions>? configureRedisA, Action<RedisStoreOptions>? configureRedisB)
    {
        var prefix = TestStores.UniquePrefix();
        var a = await AppInstance.StartAsync(redisA, prefix, addBottom, configure, configureRedisA);
        return new AppPair(a, await AppInstance.StartAsync(redisB, prefix, addBottom, configure, configureRedisB));
    }

    /// <summary>Starts A and B on the shared server, or on two different nodes of the shared cluster.</summary>
    public static async Task<AppPair> StartAsync(bool cluster, Action<IStockpileBuilder> addBottom)
    {
        if (!cluster)
        {
            return await StartAsync(RedisTestEnvironment.ConnectionString, addBottom);
        }

        var (nodes, _) = await Cluster.RedisClusterEnvironment.GetAsync();
        return await StartAsync(nodes.Nodes[0].ConnectionString, nodes.Nodes[1].ConnectionString, addBottom);
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
