using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tests.Torture;

/// <content>Reads, each checked against the floors noted before it began.</content>
internal sealed partial class TortureWorkload
{
    private async Task<string> ReadByIdAsync(int instance, int id)
    {
        var floor = _ledger.Floor(id, instance);
        Check("chain get by id", instance, id, (await _instances[instance].Chain.GetAsync<Row, int>(id))?.Name, floor, mayMiss: false);
        return "read by id";
    }

    private async Task<string> ReadByCodeAsync(int instance, int id)
    {
        var floor = _ledger.Floor(id, instance);
        Check("chain get by code", instance, id, (await _instances[instance].Chain.GetAsync<Row>(CodeKey(id)))?.Name, floor, mayMiss: false);
        return "read by code";
    }

    private async Task<string> ReadManyAsync(int instance, int[] ids)
    {
        var floors = ids.Select(id => _ledger.Floor(id, instance)).ToArray();
        var rows = await _instances[instance].Chain.GetManyAsync<Row, int>(ids);
        for (var i = 0; i < ids.Length; i++)
        {
            Check("chain get many", instance, ids[i], rows[i]?.Name, floors[i], mayMiss: false);
        }

        return "read many";
    }

    private async Task<string> ReadMemoryAsync(int instance, int id)
    {
        var floor = _ledger.Floor(id, instance);
        Check("memory tier", instance, id, (await _instances[instance].Memory.GetAsync<Row, int>(id))?.Name, floor, mayMiss: true);
        return "read memory";
    }

    /// <summary>Reads the Redis tier alone, which (unlike a chain) throws when Redis is unavailable: that is counted, not failed.</summary>
    private async Task<string> ReadRedisAsync(int instance, int id)
    {
        var floor = SharedRedisFloor ? _ledger.Floor(id) : _ledger.Floor(id, instance);
        Row? row;
        try
        {
            row = await _instances[instance].Redis.GetAsync<Row, int>(id);
        }
        catch (Exception ex) when (RedisLink.IsUnavailable(ex))
        {
            return "read Redis (unavailable)";
        }

        Check("Redis tier", instance, id, row?.Name, floor, mayMiss: true);
        return "read Redis";
    }

    /// <summary>Reads a row through every instance's chain while a transaction holds it written but not committed.</summary>
    private async Task PeekAsync(params int[] ids)
    {
        for (var instance = 0; instance < _instances.Count; instance++)
        {
            foreach (var id in ids)
            {
                var floor = _ledger.Floor(id, instance);
                Check("chain get in a transaction's window", instance, id, (await _instances[instance].Chain.GetAsync<Row, int>(id))?.Name, floor, mayMiss: false);
                if (CachedQueries)
                {
                    Check("cached query in a transaction's window", instance, id, await CachedQueryNameAsync(instance, id), floor, mayMiss: false);
                }
            }
        }
    }

    private void Check(string what, int instance, int id, string? name, long floor, bool mayMiss)
    {
        Interlocked.Increment(ref _checked);
        var problem = name switch
        {
            null when mayMiss => null,
            null => "no row",
            _ when TortureNames.IsRolledBack(name) || _ledger.IsRolledBack(id, TortureNames.VersionOf(name)) => "a rolled-back state",
            _ when TortureNames.VersionOf(name) < floor => $"version {TortureNames.VersionOf(name)}, older than the returned write of version {floor} (last write: {_ledger.LastWrite(id)})",
            _ => null,
        };
        if (problem is not null)
        {
            Stale.Enqueue($"{what} on instance {instance}, row {id}: {name ?? "null"} is {problem}");
        }
    }

    private static EntityKey CodeKey(int id) => EntityKey.Of<Row>(nameof(Row.Code), $"R{id}");
}
