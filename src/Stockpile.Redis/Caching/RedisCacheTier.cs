using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Stockpile.Internal;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <summary>
/// A <see cref="StockpileCache"/> tier on Redis: every primitive is one command or one single-key script. An entry is
/// one string (a header, then the value's bytes: <see cref="RedisCacheEntryFormat"/>) under
/// <c>storePrefix#cache:cachePrefix:{key}</c> (the cache key is the cluster hash tag, so each entry sits in a slot of
/// its own; the <c>#</c> keeps the store's scans and clears from ever taking one for an object), so a batch is one
/// <c>MGET</c> (one per slot on a cluster, all sent together) and a set one script (<c>SET … PX</c>, the key's fence and the write stamp check: <c>RedisCacheTier.Stamps.cs</c>); tag versions live under
/// <c>storePrefix#cache:cachePrefix:#tags:{…}:tag</c>, all in one slot so one <c>MGET</c> reads them on a cluster too.
/// Every call goes through the link's circuit breaker, and fails safe (<c>RedisCacheTier.FailSafe.cs</c>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A cache tier is disposed through CacheTier.DisposeAsync, which its cache calls.")]
internal sealed partial class RedisCacheTier : CacheTier
{
    private const int ScanPageSize = 250;

    private readonly RedisLink _link;
    private readonly bool _ownsLink;
    private readonly CacheClock _clock;
    private readonly IStockpileSerializer _serializer;
    private readonly string _namespace;
    private readonly string _tagPrefix;
    private readonly RedisKey _flushFenceKey;
    private readonly RedisTopology _topology = new();

    /// <exception cref="ArgumentException">A prefix holds a brace or a <c>#</c> (<see cref="RedisKeyPatterns.IsValidPrefix"/>).</exception>
    /// <param name="link">The multiplexer and its circuit breaker (the Redis store's, when there is one).</param>
    /// <param name="ownsLink">Whether disposing the tier disposes the link.</param>
    /// <param name="storePrefix">The Redis store's key prefix.</param>
    /// <param name="cachePrefix">The cache's own prefix (<see cref="StockpileCacheOptions.KeyPrefix"/>).</param>
    /// <param name="clock">The cache's clock, which expiry is measured by.</param>
    /// <param name="serializer">Turns values the cache keeps by reference into bytes.</param>
    /// <param name="missedKeyCapacity">How many skipped writes are remembered by key before the whole namespace is (<see cref="RedisStoreOptions.MissedKeyCapacity"/>).</param>
    /// <param name="throwOnUnavailableWrites">Whether a write Redis cannot take throws instead of being skipped (<see cref="RedisStoreOptions.ThrowOnUnavailableWrites"/>; its key is cleaned up either way).</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="metrics">Where failed calls are counted (<c>stockpile.store.errors</c>).</param>
    /// <param name="redisMetrics">Where skipped writes and clean-ups are counted.</param>
    public RedisCacheTier(RedisLink link, bool ownsLink, string storePrefix, string cachePrefix, CacheClock clock, IStockpileSerializer serializer, int missedKeyCapacity, bool throwOnUnavailableWrites, ILogger logger, StockpileMetrics metrics, RedisMetrics redisMetrics)
    {
        if (!RedisKeyPatterns.IsValidPrefix(storePrefix) || !RedisKeyPatterns.IsValidPrefix(cachePrefix))
        {
            throw new ArgumentException(ExceptionMessages.CachePrefixInvalid(cachePrefix, storePrefix), nameof(cachePrefix));
        }

        _link = link;
        _ownsLink = ownsLink;
        _clock = clock;
        _serializer = serializer;
        _namespace = storePrefix + "#cache:" + cachePrefix + ":";
        _tagPrefix = _namespace + "#tags:{" + _namespace + "}:";
        _flushFenceKey = _namespace + "#flushed";
        _name = "cache:" + cachePrefix;
        _throwOnUnavailableWrites = throwOnUnavailableWrites;
        _logger = logger;
        _metrics = metrics;
        _redisMetrics = redisMetrics;
        _catchUp = new RedisCatchUp(missedKeyCapacity, link.Breaker, link.Breaker.Time, _name, logger, RemoveMissedAsync, ProbeAsync);
        _link.Reconnected += OnReconnected;
    }

    /// <summary>Gets the Redis key of a cache key.</summary>
    internal RedisKey KeyOf(string key) => string.Concat(_namespace, "{", key, "}");

    /// <summary>Gets the scratch key an increment sums in: the entry's hash tag, so it sits in the entry's slot.</summary>
    private RedisKey ScratchKeyOf(string key) => string.Concat(_namespace, "#incr:{", key, "}");

    /// <remarks>While the circuit is closed, one <c>MGET</c> sent directly (<c>RedisCacheTier.Direct.cs</c>).</remarks>
    public override ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken) =>
        TryEnterDirect(out var database) ? GetDirectAsync(database, key, cancellationToken) : GetGuardedAsync(key, cancellationToken);

    private async ValueTask<CacheEntry?> GetGuardedAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync((Tier: this, Key: key), static async (database, s, ct) =>
            {
                // An MGET of one key, not a GET: a key of another type (the former hash layout) answers nil, not WRONGTYPE.
                var values = await database.StringGetAsync([s.Tier.KeyOf(s.Key)]).WaitAsync(ct).ConfigureAwait(false);
                return s.Tier.Decode(values[0]);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ReadFailed(ex, "get"))
        {
            return null;
        }
    }

    public override async ValueTask<CacheEntry?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync((Tier: this, Keys: keys), static (database, s, ct) => s.Tier.GetManyAsync(database, s.Keys, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ReadFailed(ex, "get_many"))
        {
            return new CacheEntry?[keys.Count];
        }
    }

    private async ValueTask<CacheEntry?[]> GetManyAsync(IDatabase database, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var redisKeys = new RedisKey[keys.Count];
        for (var i = 0; i < redisKeys.Length; i++)
        {
            redisKeys[i] = KeyOf(keys[i]);
        }

        var entries = new CacheEntry?[redisKeys.Length];
        if (_topology.IsCluster(database))
        {
            await foreach (var (index, value) in RedisStore.MultiGetBySlotAsync(database, redisKeys, cancellationToken).ConfigureAwait(false))
            {
                entries[index] = Decode(value);
            }

            return entries;
        }

        var values = await database.StringGetAsync(redisKeys).WaitAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = Decode(values[i]);
        }

        return entries;
    }

    /// <remarks>Stamped and fenced (<see cref="RedisCacheScripts.Set"/>): a set that reaches Redis late, after a newer write or a removal of the key, removes it instead.</remarks>
    public override async ValueTask SetAsync(string key, CacheEntry entry, CancellationToken cancellationToken)
    {
        var (value, ttl) = Encode(entry);
        var redisKey = KeyOf(key);
        try
        {
            await StampedAsync(RedisCacheScripts.Set, key, [value, ttl, 0], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (WriteFailed(ex, redisKey, "set"))
        {
            // Skipped: Redis's value of the key is removed before the cache reads it again.
        }
        catch (RedisServerException ex) when (!RedisLink.IsUnavailable(ex))
        {
            throw Refused(ex, key, "set");
        }
    }

    /// <remarks>While Redis is unavailable nothing is added (<see langword="false"/>), and the key is removed from Redis before it is read again (the add may have landed).</remarks>
    public override async ValueTask<bool> AddAsync(string key, CacheEntry entry, CancellationToken cancellationToken)
    {
        var (value, ttl) = Encode(entry);
        var redisKey = KeyOf(key);
        try
        {
            return await StampedAsync(RedisCacheScripts.Add, key, [value, ttl, 0, NowMilliseconds()], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (WriteFailed(ex, redisKey, "add"))
        {
            return false;
        }
        catch (RedisServerException ex) when (!RedisLink.IsUnavailable(ex))
        {
            throw Refused(ex, key, "add");
        }
    }

    /// <remarks>Fences the key (<see cref="FenceKeyOf"/>): a value another instance made before, still on its way, is refused.</remarks>
    public override async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken)
    {
        var redisKey = KeyOf(key);
        try
        {
            var reply = (RedisResult[])(await EvaluateAsync(RedisCacheScripts.Remove, [redisKey, FenceKeyOf(key)], [NowMilliseconds()], cancellationToken).ConfigureAwait(false))!;
            _writeClock.Observe((string?)reply[1]);
            return (long)reply[0] == 1;
        }
        catch (Exception ex) when (WriteFailed(ex, redisKey, "remove"))
        {
            return false;
        }
        catch (RedisServerException ex) when (!RedisLink.IsUnavailable(ex))
        {
            throw Refused(ex, key, "remove");
        }
    }

    /// <remarks>Fences the key when it took an entry, as <see cref="RemoveAsync"/> does.</remarks>
    public override async ValueTask<CacheEntry?> TakeAsync(string key, CancellationToken cancellationToken)
    {
        var redisKey = KeyOf(key);
        RedisResult result;
        try
        {
            result = await EvaluateAsync(RedisCacheScripts.Take, [redisKey, FenceKeyOf(key)], [NowMilliseconds()], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (WriteFailed(ex, redisKey, "take"))
        {
            return null;
        }
        catch (RedisServerException ex) when (!RedisLink.IsUnavailable(ex))
        {
            throw Refused(ex, key, "take");
        }

        if (result.IsNull)
        {
            return null;
        }

        var reply = (RedisResult[])result!;
        _writeClock.Observe((string?)reply[1]);
        return Decode((RedisValue)reply[0]);
    }

    /// <remarks>Stamped (<see cref="RedisCacheScripts.Increment"/>): an increment that reaches Redis late, after a set, removal or flush of the key, is not applied.</remarks>
    public override async ValueTask<long> IncrementAsync(string key, long delta, CancellationToken cancellationToken)
    {
        try
        {
            return await StampedIncrementAsync(key, delta, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException error) when (error.Message.Contains("NOTINT", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(Stockpile.Internal.ExceptionMessages.CacheNotAnInteger(key), error);
        }
        catch (RedisServerException error) when (error.Message.Contains("OVERFLOW", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(Stockpile.Internal.ExceptionMessages.CacheIncrementOverflow(key, delta), error);
        }
        catch (RedisServerException ex) when (!RedisLink.IsUnavailable(ex))
        {
            throw Refused(ex, key, "increment");
        }
    }

    /// <remarks>
    /// One <c>MGET</c>; a tag without a version (never removed, or its key lost) is then given one born at the server's
    /// time (<see cref="RedisCacheScripts.BornTags"/>), so a version once lost never reads as one a value made before
    /// holds. While Redis is unavailable every version is unknown (<see cref="NextUnknownVersion"/>), which no check finds current.
    /// </remarks>
    public override async ValueTask<long[]> GetTagVersionsAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var keys = new RedisKey[tags.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = _tagPrefix + tags[i];
        }

        try
        {
            return await RunAsync(keys, static async (database, keys, ct) =>
            {
                var values = await database.StringGetAsync(keys).WaitAsync(ct).ConfigureAwait(false);
                if (Array.Exists(values, static v => v.IsNull))
                {
                    values = (RedisValue[])(await database.ScriptEvaluateAsync(RedisCacheScripts.BornTags, keys).WaitAsync(ct).ConfigureAwait(false))!;
                }

                return Array.ConvertAll(values, static v => (long)v);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ReadFailed(ex, "tag_versions"))
        {
            var unknown = new long[keys.Length];
            for (var i = 0; i < unknown.Length; i++)
            {
                unknown[i] = NextUnknownVersion();
            }

            return unknown;
        }
    }

    /// <remarks>An unknown version (negative: <see cref="NextUnknownVersion"/>) is never current; nor is any stamp while Redis is unavailable.</remarks>
    public override ValueTask<bool> AreCurrentAsync(TagStamp[] stamps, CancellationToken cancellationToken) =>
        Array.Exists(stamps, static s => s.Version < 0) ? new ValueTask<bool>(false) : base.AreCurrentAsync(stamps, cancellationToken);

    /// <remarks>
    /// Moves the version to one past the current one, or to the server's time when later (<see cref="RedisCacheScripts.BumpTag"/>).
    /// While Redis is unavailable the removal is skipped and the tag's version key is deleted before the cache uses
    /// Redis again: the next read gives the tag a version born at the server's time, which no value made before holds.
    /// </remarks>
    public override async ValueTask BumpTagAsync(string tag, CancellationToken cancellationToken)
    {
        var key = _tagPrefix + tag;
        try
        {
            await RunAsync((RedisKey)key, static async (database, key, ct) =>
                await database.ScriptEvaluateAsync(RedisCacheScripts.BumpTag, [key]).WaitAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (WriteFailed(ex, key, "remove_by_tag"))
        {
            // Skipped: the tag's version key is removed before the cache reads Redis again.
        }
        catch (RedisServerException ex) when (!RedisLink.IsUnavailable(ex))
        {
            throw Refused(ex, null, "remove_by_tag");
        }
    }

    private async Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] arguments, CancellationToken cancellationToken) =>
        await RunAsync((Script: script, Keys: keys, Arguments: arguments), static async (database, s, ct) =>
            await database.ScriptEvaluateAsync(s.Script, s.Keys, s.Arguments).WaitAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private long NowMilliseconds() => _clock.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>An entry's string (header, then bytes) and its TTL in milliseconds (0 for none).</summary>
    private (byte[] Value, long Ttl) Encode(CacheEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (entry.Bytes?.Length ?? 256));
        var ttl = Encode(entry, buffer);
        return (buffer.WrittenSpan.ToArray(), ttl);
    }

    /// <summary>Writes an entry's string (header, then bytes) into <paramref name="buffer"/>; returns its TTL in milliseconds (0 for none).</summary>
    private long Encode(CacheEntry entry, ArrayBufferWriter<byte> buffer)
    {
        long? expiry = null;
        long ttl = 0;
        if (entry.ExpiresAt is { } at)
        {
            expiry = at.ToUnixTimeMilliseconds();
            ttl = Math.Max(1, expiry.Value - NowMilliseconds());
        }

        var hasValue = entry.Bytes is not null || entry.Instance is not null;
        RedisCacheEntryFormat.WriteHeader(buffer, hasValue, expiry, EncodeTags(entry.Tags));
        if (entry.Bytes is { } bytes)
        {
            buffer.Write(bytes);
        }
        else if (entry.Instance is { } instance)
        {
            _serializer.Serialize(buffer, instance, instance.GetType());
        }

        return ttl;
    }

    /// <summary>The entry a string holds, or <see langword="null"/> for none, one past its expiry, or a string that is no entry.</summary>
    private CacheEntry? Decode(RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        ReadOnlyMemory<byte> memory = value;
        var span = memory.Span;
        if (!RedisCacheEntryFormat.TryReadHeader(span, out var hasValue, out var expiry, out var tags, out var payloadStart))
        {
            return null;
        }

        DateTimeOffset? expiresAt = null;
        if (expiry is { } milliseconds)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
            if (at <= _clock.Time.GetUtcNow())
            {
                return null;
            }

            expiresAt = at;
        }

        if (!TryDecodeTags(tags, out var stamps))
        {
            return null;
        }

        var bytes = hasValue ? span[payloadStart..].ToArray() : null;
        return new CacheEntry(null, bytes, expiresAt, _clock.DeadlineOf(expiresAt), stamps);
    }

    /// <summary>Tag stamps as <c>length:tag version;</c> repeated (the length makes any tag text safe).</summary>
    private static string? EncodeTags(TagStamp[]? tags)
    {
        if (tags is not { Length: > 0 })
        {
            return null;
        }

        var builder = new StringBuilder();
        foreach (var stamp in tags)
        {
            builder.Append(stamp.Tag.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(stamp.Tag)
                .Append(stamp.Version.ToString(CultureInfo.InvariantCulture)).Append(';');
        }

        return builder.ToString();
    }

    /// <summary>Reads tag stamps; <see langword="false"/> for a section this tier did not write (a foreign or damaged entry: a miss).</summary>
    private static bool TryDecodeTags(string? text, out TagStamp[]? stamps)
    {
        stamps = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var list = new List<TagStamp>();
        var position = 0;
        while (position < text.Length)
        {
            var colon = text.IndexOf(':', position);
            if (colon < 0
                || !int.TryParse(text.AsSpan(position, colon - position), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length > text.Length - colon - 1)
            {
                return false;
            }

            var tagEnd = colon + 1 + length;
            var end = text.IndexOf(';', tagEnd);
            if (end < 0 || !long.TryParse(text.AsSpan(tagEnd, end - tagEnd), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version))
            {
                return false;
            }

            list.Add(new TagStamp(text.Substring(colon + 1, length), version));
            position = end + 1;
        }

        stamps = [.. list];
        return true;
    }
}
