using StackExchange.Redis;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests;

/// <summary>
/// One redis-server shared by the tests that need no private one, started before any test of this assembly:
/// the server named by <see cref="Stockpile.Testing.Servers.RedisServer.ExternalUrlVariable"/> if set, otherwise a fresh local one.
/// Tests isolate themselves with unique keys. A missing redis-server fails the run loudly.
/// </summary>
[SetUpFixture]
public sealed class RedisTestEnvironment
{
    private static RedisServer? _server;
    private static string? _connectionString;

    /// <summary>Gets a configuration string (or URL) of the shared server.</summary>
    public static string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The shared Redis server has not started.");

    /// <summary>Returns fresh configuration options for the shared server (with admin commands, for tests that inspect it).</summary>
    internal static ConfigurationOptions CreateOptions() => CreateOptions(ConnectionString);

    /// <summary>Returns fresh configuration options for a server (with admin commands, for tests that inspect it).</summary>
    internal static ConfigurationOptions CreateOptions(string configuration)
    {
        var options = Stockpile.Redis.Internal.RedisConfiguration.Parse(configuration);
        options.AllowAdmin = true;
        return options;
    }

    /// <summary>Returns options for outage tests: quick timeouts, and reconnects retried every 100 ms at most.</summary>
    internal static ConfigurationOptions FastReconnecting(string configuration)
    {
        var options = CreateOptions(configuration);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 500;
        options.SyncTimeout = 500;
        options.AsyncTimeout = 500;
        options.ReconnectRetryPolicy = new LinearRetry(100);
        options.KeepAlive = 1;
        return options;
    }

    /// <summary>Connects to the shared server.</summary>
    internal static async Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = CreateOptions();
        configure?.Invoke(options);
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Connects to the shared server, or to the shared three-master cluster.</summary>
    internal static Task<ConnectionMultiplexer> ConnectAsync(bool cluster) =>
        cluster ? Cluster.RedisClusterEnvironment.ConnectAsync() : ConnectAsync();

    /// <summary>Returns a key no other test uses.</summary>
    public static string UniqueKey(string name = "key") => $"stockpile-test:{Guid.NewGuid():N}:{name}";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (RedisServer.ExternalUrl is { } url)
        {
            _connectionString = url;
            return;
        }

        _server = await RedisServer.StartAsync();
        _connectionString = _server.ConnectionString;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await Cluster.RedisClusterEnvironment.StopAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }
}
