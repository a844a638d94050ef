using StackExchange.Redis;

namespace Stockpile.Redis.Tests;

/// <summary>
/// Several Redis stores under one prefix, each on a connection of its own, as several app instances would be (on the
/// shared server or on the cluster). Disposing it disposes the stores, then the connections.
/// </summary>
internal sealed class SeparateInstanceStores : IAsyncDisposable
{
    private readonly List<ConnectionMultiplexer> _connections = [];
    private readonly List<RedisStore> _stores = [];

    private SeparateInstanceStores()
    {
    }

    public string Prefix { get; } = TestStores.UniquePrefix();

    public IReadOnlyList<RedisStore> Stores => _stores;

    public IReadOnlyList<ConnectionMultiplexer> Connections => _connections;

    /// <param name="count">How many instances.</param>
    /// <param name="cluster">Whether they connect to the cluster instead of the shared server.</param>
    public static async Task<SeparateInstanceStores> StartAsync(int count, bool cluster = false)
    {
        var made = new SeparateInstanceStores();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var connection = await RedisTestEnvironment.ConnectAsync(cluster);
                made._connections.Add(connection);
                made._stores.Add(TestStores.Create(connection, o => o.KeyPrefix = made.Prefix));
            }

            return made;
        }
        catch
        {
            await made.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
