using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <content>
/// A value a get-or-create made reaches Redis after its caller has it (<see cref="StockpileCacheOptions.WriteMadeValuesInBackground"/>),
/// so another instance may write the key in between; that later write must stand. The flight's read takes a mark
/// (<see cref="RedisCacheMark"/>) in the same round trip, and the write is one script that stores the value only while
/// the key is as the read saw it: no live entry written since (a set, add or increment), the key's fence unchanged (a
/// remove or pull writes it), the flush fence unchanged (a flush writes it before its scan). On a cluster the flush
/// fence lives in another slot: it is read after the write, and a value written after a flush began is deleted again
/// (only if still exactly that value). The same script publishes the backplane's message when it stores
/// (<see cref="RedisCacheBackplane.AnnouncesThrough"/>): one round trip, and a refused write announces nothing. On a
/// cluster the message leaves from the entry's node (a cluster hands every <c>PUBLISH</c> to all its nodes); a value
/// deleted again after a flush was announced too, which only evicts a copy more.
/// </content>
internal sealed partial class RedisCacheTier
{
    /// <summary>Gets the key of a cache key's write fence: in the entry's slot, and never of the shape a flush scans for.</summary>
    internal RedisKey FenceKeyOf(string key) => string.Concat(_namespace, "#fence:{", key, "}");

    /// <summary>Reads the entry, its fence and the flush fence: one <c>MGET</c> on one server; on a cluster the flush fence's <c>GET</c> is sent alongside.</summary>
    /// <remarks>
    /// While Redis is unavailable the read is a miss with no mark (the fail-safe, as <see cref="GetAsync"/>). While the
    /// circuit is closed, the <c>MGET</c> is sent directly (<c>RedisCacheTier.Direct.cs</c>).
    /// </remarks>
    public override ValueTask<CacheRead> ReadForMakeAsync(string key, CancellationToken cancellationToken) =>
        TryEnterDirect(out var database) ? ReadForMakeDirectAsync(database, key, cancellationToken) : ReadForMakeGuardedAsync(key, cancellationToken);

    private async ValueTask<CacheRead> ReadForMakeGuardedAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync((Tier: this, Key: key), static (database, s, ct) => s.Tier.ReadMarkedAsync(database, s.Key, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ReadFailed(ex, "get"))
        {
            return new CacheRead(null, null);
        }
    }

    private async ValueTask<CacheRead> ReadMarkedAsync(IDatabase database, string key, CancellationToken cancellationToken)
    {
        RedisValue[] values;
        RedisValue flush;
        if (_topology.IsCluster(database))
        {
            var flushRead = database.StringGetAsync(_flushFenceKey);
            values = await database.StringGetAsync([KeyOf(key), FenceKeyOf(key)]).WaitAsync(cancellationToken).ConfigureAwait(false);
            flush = await flushRead.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            values = await database.StringGetAsync([KeyOf(key), FenceKeyOf(key), _flushFenceKey]).WaitAsync(cancellationToken).ConfigureAwait(false);
            flush = values[2];
        }

        return new CacheRead(Decode(values[0]), new RedisCacheMark(values[0], values[1], flush));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// With this cache's backplane (<paramref name="evictions"/>) on the same connection and nothing of it waiting to be
    /// republished, the script publishes its message when it stores (<see cref="MadeWrite.Announced"/>); otherwise the
    /// caller publishes after a write that stored. While Redis is unavailable the write is skipped like a set's (the
    /// key is removed from Redis before the cache reads it again) and counts as written, not announced: memory keeps
    /// the value, and the message goes the usual way (kept by the backplane until Redis is back). While the circuit is
    /// closed, the script is sent directly (<c>RedisCacheTier.Direct.cs</c>). Either way, an error Redis answered is
    /// thrown as an <see cref="InvalidOperationException"/> with Redis's reason (no key: the cache logs it).
    /// </remarks>
    public override ValueTask<MadeWrite> SetUnlessWrittenSinceAsync(string key, CacheEntry entry, object? mark, CacheEvictions? evictions, CancellationToken cancellationToken)
    {
        var announce = evictions is RedisCacheBackplane backplane && backplane.AnnouncesThrough(_link) ? backplane.Announcement(key) : default((RedisValue, byte[])?);
        return TryEnterDirect(out var database)
            ? SetMadeDirectAsync(database, key, entry, mark as RedisCacheMark ?? RedisCacheMark.None, announce, cancellationToken)
            : SetMadeGuardedAsync(key, entry, mark, announce, cancellationToken);
    }

    private async ValueTask<MadeWrite> SetMadeGuardedAsync(string key, CacheEntry entry, object? mark, (RedisValue Channel, byte[] Message)? announce, CancellationToken cancellationToken)
    {
        var redisKey = KeyOf(key);
        try
        {
            return await RunAsync((Tier: this, Key: key, Entry: entry, Mark: mark, Announce: announce), static (database, s, ct) => s.Tier.SetMadeAsync(database, s.Key, s.Entry, s.Mark, s.Announce, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (WriteFailed(ex, redisKey, "set"))
        {
            return MadeWrite.Stored;
        }
        catch (RedisServerException ex) when (!RedisLink.IsUnavailable(ex))
        {
            // Only the background write of a made value lands here: the cache logs (at Error, with this reason) and counts it, and the message stays free of the key.
            throw new InvalidOperationException(ExceptionMessages.CacheWriteRefused(_name, "set", null, ex.Message), ex);
        }
    }

    private async ValueTask<MadeWrite> SetMadeAsync(IDatabase database, string key, CacheEntry entry, object? mark, (RedisValue Channel, byte[] Message)? announce, CancellationToken cancellationToken)
    {
        // Without a mark (no read of this tier before), nothing may have been seen: any fence refuses.
        var seen = mark as RedisCacheMark ?? RedisCacheMark.None;
        var (value, ttl) = Encode(entry);
        var cluster = _topology.IsCluster(database);
        RedisKey[] keys = cluster ? [KeyOf(key), FenceKeyOf(key)] : [KeyOf(key), FenceKeyOf(key), _flushFenceKey];
        var written = MadeWriteOf(await database.ScriptEvaluateAsync(RedisCacheScripts.SetMade, keys, SetMadeArguments(value, ttl, seen, announce)).WaitAsync(cancellationToken).ConfigureAwait(false));
        if (written == MadeWrite.Refused || !cluster)
        {
            return written;
        }

        if (await database.StringGetAsync(_flushFenceKey).WaitAsync(cancellationToken).ConfigureAwait(false) == seen.FlushFence)
        {
            return written;
        }

        await database.ScriptEvaluateAsync(RedisCacheScripts.Unset, [KeyOf(key)], [value]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return MadeWrite.Refused;
    }

    /// <summary>
    /// The arguments of <see cref="RedisCacheScripts.SetMade"/>: the entry, its TTL, now, then what the read saw, then
    /// the channel and message to publish when it stores (none: the caller publishes).
    /// </summary>
    private RedisValue[] SetMadeArguments(RedisValue value, long ttl, RedisCacheMark seen, (RedisValue Channel, byte[] Message)? announce) =>
        announce is { } message
            ? [value, ttl, NowMilliseconds(), Text(seen.Fence), Text(seen.FlushFence), Text(seen.Held), message.Channel, message.Message]
            : [value, ttl, NowMilliseconds(), Text(seen.Fence), Text(seen.FlushFence), Text(seen.Held)];

    /// <summary>What <see cref="RedisCacheScripts.SetMade"/> answered: 0 refused, 1 stored, 2 stored and published; the fence a stored write set is observed by the write clock.</summary>
    private MadeWrite MadeWriteOf(RedisResult result)
    {
        var reply = (RedisResult[])result!;
        if (reply.Length > 1)
        {
            _writeClock.Observe((string?)reply[1]);
        }

        return (long)reply[0] switch
        {
            0 => MadeWrite.Refused,
            2 => MadeWrite.Announced,
            _ => MadeWrite.Stored,
        };
    }

    /// <summary>A value as a script argument: empty for none (no fence or entry is ever empty).</summary>
    private static RedisValue Text(RedisValue value) => value.IsNull ? RedisValue.EmptyString : value;
}
