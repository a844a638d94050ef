using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>Whether a multiplexer talks to a cluster, decided once a server is connected (kept as a field by its owner).</summary>
internal struct RedisTopology
{
    private const int Unknown = 0;
    private const int Single = 1;
    private const int Cluster = 2;

    private int _topology;

    /// <summary>Returns whether the multiplexer talks to a cluster; <see langword="false"/> while no server is connected (asked again next time).</summary>
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
