using StackExchange.Redis;

namespace Stockpile.Redis.Caching;

internal sealed partial class RedisCacheTier
{
    /// <summary>Scans every primary for this cache's entry keys (never its tags, never another namespace) and unlinks them, one <c>UNLINK</c> per slot.</summary>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var pattern = Internal.RedisKeyPatterns.EscapeGlob(_namespace) + "{*";
        var database = await _database(cancellationToken).ConfigureAwait(false);
        var multiplexer = database.Multiplexer;
        foreach (var server in multiplexer.GetServers())
        {
            if (server.IsReplica)
            {
                continue;
            }

            var page = new List<RedisKey>(ScanPageSize);
            await foreach (var key in server.KeysAsync(database.Database, pattern, ScanPageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var text = (string?)key;
                if (text is not null && text.Length > _namespace.Length + 1 && text.StartsWith(_namespace, StringComparison.Ordinal)
                    && text[_namespace.Length] == '{' && text[^1] == '}')
                {
                    page.Add(key);
                }

                if (page.Count == ScanPageSize)
                {
                    await UnlinkAsync(database, page, cancellationToken).ConfigureAwait(false);
                    page.Clear();
                }
            }

            await UnlinkAsync(database, page, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask UnlinkAsync(IDatabase database, List<RedisKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        var multiplexer = database.Multiplexer;
        await Task.WhenAll(keys.GroupBy(k => multiplexer.HashSlot(k)).Select(slot => database.KeyDeleteAsync([.. slot])))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
