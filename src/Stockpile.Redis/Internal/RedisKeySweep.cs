using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>Removes the keys of one primary that match a <c>SCAN</c> pattern and pass an exact check, page by page, one <c>UNLINK</c> per hash slot.</summary>
internal static class RedisKeySweep
{
    public static async ValueTask RemoveAsync(IDatabase database, IServer server, string pattern, int pageSize, Func<RedisKey, bool> isOurs, CancellationToken cancellationToken)
    {
        var page = new List<RedisKey>(pageSize);
        await foreach (var key in server.KeysAsync(database.Database, pattern, pageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (isOurs(key))
            {
                page.Add(key);
            }

            if (page.Count == pageSize)
            {
                await UnlinkAsync(database, page, cancellationToken).ConfigureAwait(false);
                page.Clear();
            }
        }

        await UnlinkAsync(database, page, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Unlinks keys: one <c>UNLINK</c> per hash slot, sent together.</summary>
    public static async ValueTask UnlinkAsync(IDatabase database, IReadOnlyCollection<RedisKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        // A cluster refuses one UNLINK over several slots: one per slot, sent together.
        var multiplexer = database.Multiplexer;
        await Task.WhenAll(keys.GroupBy(k => multiplexer.HashSlot(k)).Select(slot => database.KeyDeleteAsync([.. slot])))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
