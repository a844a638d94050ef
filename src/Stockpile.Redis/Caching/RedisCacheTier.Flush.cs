using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

internal sealed partial class RedisCacheTier
{
    /// <summary>
    /// Scans every primary for this cache's entry keys (never its tags, never another namespace) and unlinks them, one
    /// <c>UNLINK</c> per slot. The flush fence is moved first, so a value another instance made before the flush and
    /// writes after it (<see cref="SetUnlessWrittenSinceAsync"/>) is refused, whether the scan passed its key or not.
    /// </summary>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var database = await _database(cancellationToken).ConfigureAwait(false);
        await database.ScriptEvaluateAsync(RedisCacheScripts.FenceFlush, [_flushFenceKey]).WaitAsync(cancellationToken).ConfigureAwait(false);
        var pattern = RedisKeyPatterns.EscapeGlob(_namespace) + "{*";
        foreach (var server in database.Multiplexer.GetServers())
        {
            if (!server.IsReplica)
            {
                await RedisKeySweep.RemoveAsync(database, server, pattern, ScanPageSize, IsEntryKey, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether a key the scan found is exactly one of this cache's entries: the namespace, then <c>{key}</c>.</summary>
    private bool IsEntryKey(RedisKey key)
    {
        var text = (string?)key;
        return text is not null && text.Length > _namespace.Length + 1 && text.StartsWith(_namespace, StringComparison.Ordinal)
            && text[_namespace.Length] == '{' && text[^1] == '}';
    }
}
