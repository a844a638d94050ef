using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

internal sealed partial class RedisCacheTier
{
    /// <summary>
    /// Scans every primary for this cache's entry keys (never its tags, never another namespace) and unlinks them, one
    /// <c>UNLINK</c> per slot. The flush fence is moved first, so a value another instance made before the flush and
    /// writes after it (<see cref="SetUnlessWrittenSinceAsync"/>) is refused, whether the scan passed its key or not, and
    /// so is a set, add or increment that reaches Redis late (<see cref="RedisCacheScripts.Set"/>); on a cluster the
    /// fence is copied into every slot first (16,384 pipelined <c>SET</c>s), as a script reads only its entry's slot.
    /// </summary>
    /// <remarks>While Redis is unavailable the flush is skipped, and the whole namespace (tag versions included) is removed before the cache uses Redis again.</remarks>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(this, static async (database, tier, ct) =>
            {
                var flushedAt = (RedisValue)await database.ScriptEvaluateAsync(RedisCacheScripts.FenceFlush, [tier._flushFenceKey]).WaitAsync(ct).ConfigureAwait(false);
                tier._writeClock.Observe((string?)flushedAt);
                if (tier._topology.IsCluster(database))
                {
                    await tier.FenceEverySlotAsync(database, flushedAt, ct).ConfigureAwait(false);
                }

                await tier.SweepAsync(database, "{*", tier.IsEntryKey, ct).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (WriteFailed(ex, null, "flush"))
        {
            // Skipped: the namespace is removed before the cache reads Redis again.
        }
        catch (RedisServerException ex) when (!RedisLink.IsUnavailable(ex))
        {
            throw Refused(ex, null, "flush");
        }
    }

    /// <summary>Unlinks the keys of this cache's namespace that match <paramref name="pattern"/> after it and pass <paramref name="isOurs"/>, on every primary.</summary>
    private async ValueTask SweepAsync(IDatabase database, string pattern, Func<RedisKey, bool> isOurs, CancellationToken cancellationToken)
    {
        var glob = RedisKeyPatterns.EscapeGlob(_namespace) + pattern;
        foreach (var server in database.Multiplexer.GetServers())
        {
            if (!server.IsReplica)
            {
                await RedisKeySweep.RemoveAsync(database, server, glob, ScanPageSize, isOurs, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Whether a key the scan found is one of this cache's entries or tag versions.</summary>
    private bool IsEntryOrTagKey(RedisKey key) => IsEntryKey(key) || ((string?)key)?.StartsWith(_tagPrefix, StringComparison.Ordinal) == true;
}
