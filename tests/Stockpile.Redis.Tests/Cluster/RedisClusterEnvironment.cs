using StackExchange.Redis;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests.Cluster;

/// <summary>
/// One three-master Redis Cluster for the cluster tests of this assembly, started on first use and stopped when the
/// run ends. A missing redis-server or redis-cli fails the tests that need it, loudly.
/// </summary>
internal static class RedisClusterEnvironment
{
    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static RedisCluster? s_cluster;
    private static ConnectionMultiplexer? s_multiplexer;

    /// <summary>Gets the cluster and a multiplexer connected to it, starting it the first time.</summary>
    public static async Task<(RedisCluster Cluster, ConnectionMultiplexer Multiplexer)> GetAsync()
    {
        await s_gate.WaitAsync();
        try
        {
            if (s_cluster is null || s_multiplexer is null)
            {
                s_cluster = await RedisCluster.StartAsync();
                s_multiplexer = await ConnectionMultiplexer.ConnectAsync(s_cluster.ConnectionString + ",allowAdmin=true");
            }

            return (s_cluster, s_multiplexer);
        }
        finally
        {
            s_gate.Release();
        }
    }

    /// <summary>Connects a new multiplexer (the caller's to dispose) to the cluster, starting it the first time.</summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var (cluster, _) = await GetAsync();
        var options = RedisTestEnvironment.CreateOptions(cluster.ConnectionString);
        configure?.Invoke(options);
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Stops the cluster, if it was started (called once, when the assembly's tests end).</summary>
    public static async Task StopAsync()
    {
        if (s_multiplexer is not null)
        {
            await s_multiplexer.DisposeAsync();
            s_multiplexer = null;
        }

        if (s_cluster is not null)
        {
            await s_cluster.DisposeAsync();
            s_cluster = null;
        }
    }
}
