using Microsoft.Extensions.Logging;
using Stockpile.Redis.Internal.Resp;
using Stockpile.Testing.Servers;

namespace Stockpile.Redis.Tests;

/// <summary>
/// One redis-server shared by the tests that need no private one, started before any test of this assembly:
/// the server named by <see cref="RedisServer.ExternalUrlVariable"/> if set, otherwise a fresh local one.
/// Tests isolate themselves with unique keys. A missing redis-server fails the run loudly.
/// </summary>
[SetUpFixture]
public sealed class RedisTestEnvironment
{
    private static RedisServer? _server;
    private static string? _connectionString;

    /// <summary>Gets a connection string to the shared server.</summary>
    public static string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The shared Redis server has not started.");

    /// <summary>Returns fresh options for the shared server.</summary>
    internal static RedisConnectionOptions CreateOptions() => RedisConnectionOptions.Parse(ConnectionString);

    /// <summary>Returns options for <paramref name="connectionString"/> that retry every 20 to 200 ms, for reconnect tests.</summary>
    internal static RedisConnectionOptions FastReconnecting(string connectionString)
    {
        var options = RedisConnectionOptions.Parse(connectionString);
        options.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        return options;
    }

    /// <summary>Connects to the shared server.</summary>
    internal static async Task<IRedisConnection> ConnectAsync(
        Action<RedisConnectionOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        var options = CreateOptions();
        configure?.Invoke(options);
        return await RedisConnection.ConnectAsync(options, loggerFactory);
    }

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
