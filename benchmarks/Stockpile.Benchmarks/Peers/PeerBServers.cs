using Stockpile.Testing.Servers;

namespace Stockpile.Benchmarks.Peers;

/// <summary>What every peer of a run shares: the benchmark's SQLite file of products and one private redis-server on loopback.</summary>
internal sealed class PeerBServers : IAsyncDisposable
{
    private PeerBServers(BenchDatabase database, RedisServer redis)
    {
        Database = database;
        Redis = redis;
    }

    public BenchDatabase Database { get; }

    public RedisServer Redis { get; }

    public static async Task<PeerBServers> StartAsync() => new(new BenchDatabase(), await RedisServer.StartAsync());

    public async ValueTask DisposeAsync()
    {
        await Redis.DisposeAsync();
        Database.Dispose();
    }
}
