using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>Whether a multiplexer talks to a Redis Cluster, decided once a server is connected and remembered.</summary>
internal sealed class RedisTopology
{
    private const int Unknown = 0;
    private const int Single = 1;
    private const int Cluster = 2;

    private int _topology;

    /// <summary>Returns whether the multiplexer talks to a cluster (a single server until one is connected).</summary>
    public bool IsCluster(IDatabase database)
    {
        var topology = Volatile.Read(ref _topology);
        if (topology == Unknown)
        {
            foreach (var server in database.Multiplexer.GetServers())
            {
                if (server.IsConnected)
                {
                    topology = server.ServerType == ServerType.Cluster ? Cluster : Single;
                    Volatile.Write(ref _topology, topology);
                    break;
                }
            }
        }

        return topology == Cluster;
    }
}
