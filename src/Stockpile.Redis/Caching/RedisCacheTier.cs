using System.Buffers;
using System.Globalization;
using System.Text;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <summary>
/// A <see cref="StockpileCache"/> tier on Redis: every primitive is one command or one single-key script. An entry is
/// one string (a header, then the value's bytes: <see cref="RedisCacheEntryFormat"/>) under
/// <c>storePrefix#cache:cachePrefix:{key}</c> (the cache key is the cluster hash tag, so each entry sits in a slot of
/// its own; the <c>#</c> keeps the store's scans and clears from ever taking one for an object), so a batch is one
/// <c>MGET</c> (one per slot on a cluster, all sent together) and a set one <c>SET … PX</c>; tag versions live under
/// <c>storePrefix#cache:cachePrefix:#tags:{…}:tag</c>, all in one slot so one <c>MGET</c> reads them on a cluster too.
/// </summary>
internal sealed partial class RedisCacheTier : CacheTier
{
    private const int ScanPageSize = 250;

    private readonly Func<CancellationToken, ValueTask<IDatabase>> _database;
    private readonly CacheClock _clock;
    private readonly IStockpileSerializer _serializer;
    private readonly string _namespace;
    private readonly string _tagPrefix;
    private readonly RedisKey _flushFenceKey;
    private readonly RedisTopology _topology = new();

    /// <exception cref="ArgumentException">A prefix holds a brace.</exception>
    /// <param name="database">Gets the database (the store's multiplexer, connected on first use).</param>
    /// <param name="storePrefix">The Redis store's key prefix.</param>
    /// <param name="cachePrefix">The cache's own prefix (<see cref="StockpileCacheOptions.KeyPrefix"/>).</param>
    /// <param name="clock">The cache's clock, which expiry is measured by.</param>
    /// <param name="serializer">Turns values the cache keeps by reference into bytes.</param>
    public RedisCacheTier(Func<CancellationToken, ValueTask<IDatabase>> database, string storePrefix, string cachePrefix, CacheClock clock, IStockpileSerializer serializer)
    {
        if (!RedisKeyPatterns.IsValidPrefix(storePrefix) || !RedisKeyPatterns.IsValidPrefix(cachePrefix))
        {
            throw new ArgumentException(ExceptionMessages.CachePrefixHoldsBrace(cachePrefix), nameof(cachePrefix));
        }

        _database = database;
        _clock = clock;
        _serializer = serializer;
        _namespace = storePrefix + "#cache:" + cachePrefix + ":";
        _tagPrefix = _namespace + "#tags:{" + _namespace + "}:";
        _flushFenceKey = _namespace + "#flushed";
    }

    /// <summary>Gets the Redis key of a cache key.</summary>
    internal RedisKey KeyOf(string key) => string.Concat(_namespace, "{", key, "}");

    /// <summary>Gets the scratch key an increment sums in: the entry's hash tag, so it sits in the entry's slot.</summary>
    private RedisKey ScratchKeyOf(string key) => string.Concat(_namespace, "#incr:{", key, "}");

    public override async ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        // An MGET of one key, not a GET: a key of another type (the former hash layout) answers nil, not WRONGTYPE.
        var database = await _database(cancellationToken).ConfigureAwait(false);
        var values = await database.StringGetAsync([KeyOf(key)]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return Decode(values[0]);
    }

    public override async ValueTask<CacheEntry?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var database = await _database(cancellationToken).ConfigureAwait(false);
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

    public override async ValueTask SetAsync(string key, CacheEntry entry, CancellationToken cancellationToken)
    {
        var (value, ttl) = Encode(entry);
        var database = await _database(cancellationToken).ConfigureAwait(false);
        await database.StringSetAsync(KeyOf(key), value, ttl > 0 ? TimeSpan.FromMilliseconds(ttl) : null, When.Always)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<bool> AddAsync(string key, CacheEntry entry, CancellationToken cancellationToken)
    {
        var (value, ttl) = Encode(entry);
        return (long)await EvaluateAsync(RedisCacheScripts.Add, [KeyOf(key)], [value, ttl, NowMilliseconds()], cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <remarks>Fences the key (<see cref="FenceKeyOf"/>): a value another instance made before, still on its way, is refused.</remarks>
    public override async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) =>
        (long)await EvaluateAsync(RedisCacheScripts.Remove, [KeyOf(key), FenceKeyOf(key)], [NowMilliseconds()], cancellationToken).ConfigureAwait(false) == 1;

    /// <remarks>Fences the key when it took an entry, as <see cref="RemoveAsync"/> does.</remarks>
    public override async ValueTask<CacheEntry?> TakeAsync(string key, CancellationToken cancellationToken)
    {
        var result = await EvaluateAsync(RedisCacheScripts.Take, [KeyOf(key), FenceKeyOf(key)], [NowMilliseconds()], cancellationToken).ConfigureAwait(false);
        return result.IsNull ? null : Decode((RedisValue)result);
    }

    public override async ValueTask<long> IncrementAsync(string key, long delta, CancellationToken cancellationToken)
    {
        try
        {
            return (long)await EvaluateAsync(RedisCacheScripts.Increment, [KeyOf(key), ScratchKeyOf(key)], [delta, NowMilliseconds()], cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException error) when (error.Message.Contains("NOTINT", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(Stockpile.Internal.ExceptionMessages.CacheNotAnInteger(key), error);
        }
        catch (RedisServerException error) when (error.Message.Contains("OVERFLOW", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(Stockpile.Internal.ExceptionMessages.CacheIncrementOverflow(key, delta), error);
        }
    }

    /// <remarks>
    /// One <c>MGET</c>; a tag without a version (never removed, or its key lost) is then given one born at the server's
    /// time (<see cref="RedisCacheScripts.BornTags"/>), so a version once lost never reads as one a value made before
    /// holds.
    /// </remarks>
    public override async ValueTask<long[]> GetTagVersionsAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var keys = new RedisKey[tags.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = _tagPrefix + tags[i];
        }

        var database = await _database(cancellationToken).ConfigureAwait(false);
        var values = await database.StringGetAsync(keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Array.Exists(values, static v => v.IsNull))
        {
            var born = (RedisValue[])(await database.ScriptEvaluateAsync(RedisCacheScripts.BornTags, keys).WaitAsync(cancellationToken).ConfigureAwait(false))!;
            values = born;
        }

        return Array.ConvertAll(values, static v => (long)v);
    }

    /// <remarks>Moves the version to one past the current one, or to the server's time when later (<see cref="RedisCacheScripts.BumpTag"/>).</remarks>
    public override async ValueTask BumpTagAsync(string tag, CancellationToken cancellationToken)
    {
        var database = await _database(cancellationToken).ConfigureAwait(false);
        await database.ScriptEvaluateAsync(RedisCacheScripts.BumpTag, [_tagPrefix + tag]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        var database = await _database(cancellationToken).ConfigureAwait(false);
        return await database.ScriptEvaluateAsync(script, keys, arguments).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private long NowMilliseconds() => _clock.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>An entry's string (header, then bytes) and its TTL in milliseconds (0 for none).</summary>
    private (byte[] Value, long Ttl) Encode(CacheEntry entry)
    {
        long? expiry = null;
        long ttl = 0;
        if (entry.ExpiresAt is { } at)
        {
            expiry = at.ToUnixTimeMilliseconds();
            ttl = Math.Max(1, expiry.Value - NowMilliseconds());
        }

        var hasValue = entry.Bytes is not null || entry.Instance is not null;
        var buffer = new ArrayBufferWriter<byte>(64 + (entry.Bytes?.Length ?? 256));
        RedisCacheEntryFormat.WriteHeader(buffer, hasValue, expiry, EncodeTags(entry.Tags));
        if (entry.Bytes is { } bytes)
        {
            buffer.Write(bytes);
        }
        else if (entry.Instance is { } instance)
        {
            _serializer.Serialize(buffer, instance, instance.GetType());
        }

        return (buffer.WrittenSpan.ToArray(), ttl);
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
