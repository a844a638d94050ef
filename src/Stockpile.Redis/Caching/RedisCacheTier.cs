using System.Buffers;
using System.Globalization;
using System.Text;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <summary>
/// A <see cref="StockpileCache"/> tier on Redis: every primitive is one command or one single-key script. Entries live
/// under <c>storePrefix#cache:cachePrefix:{key}</c> (the cache key is the cluster hash tag, so each entry sits in a slot
/// of its own; the <c>#</c> keeps the store's scans and clears from ever taking one for an object); tag versions under
/// <c>storePrefix#cache:cachePrefix:#tags:{…}:tag</c>, all in one slot so one <c>MGET</c> reads them on a cluster too.
/// </summary>
internal sealed partial class RedisCacheTier : CacheTier
{
    private const int ScanPageSize = 250;
    private static readonly RedisValue[] s_fields = ["h", "v", "e", "t"];

    private readonly Func<CancellationToken, ValueTask<IDatabase>> _database;
    private readonly CacheClock _clock;
    private readonly IStockpileSerializer _serializer;
    private readonly string _namespace;
    private readonly string _tagPrefix;

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
    }

    /// <summary>Gets the Redis key of a cache key.</summary>
    internal RedisKey KeyOf(string key) => string.Concat(_namespace, "{", key, "}");

    public override async ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var database = await _database(cancellationToken).ConfigureAwait(false);
        return Decode(await database.HashGetAsync(KeyOf(key), s_fields).WaitAsync(cancellationToken).ConfigureAwait(false));
    }

    public override async ValueTask<CacheEntry?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        // One HMGET per key, pipelined on the multiplexer: one round trip, and each command stays in its key's slot.
        var database = await _database(cancellationToken).ConfigureAwait(false);
        var reads = new Task<RedisValue[]>[keys.Count];
        for (var i = 0; i < reads.Length; i++)
        {
            reads[i] = database.HashGetAsync(KeyOf(keys[i]), s_fields);
        }

        await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
        var entries = new CacheEntry?[reads.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = Decode(reads[i].Result);
        }

        return entries;
    }

    public override async ValueTask SetAsync(string key, CacheEntry entry, CancellationToken cancellationToken) =>
        await EvaluateAsync(RedisCacheScripts.Set, key, Encode(entry), cancellationToken).ConfigureAwait(false);

    public override async ValueTask<bool> AddAsync(string key, CacheEntry entry, CancellationToken cancellationToken) =>
        (long)await EvaluateAsync(RedisCacheScripts.Add, key, Encode(entry), cancellationToken).ConfigureAwait(false) == 1;

    public override async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken) =>
        (long)await EvaluateAsync(RedisCacheScripts.Remove, key, NowOnly(), cancellationToken).ConfigureAwait(false) == 1;

    public override async ValueTask<CacheEntry?> TakeAsync(string key, CancellationToken cancellationToken)
    {
        var result = await EvaluateAsync(RedisCacheScripts.Take, key, NowOnly(), cancellationToken).ConfigureAwait(false);
        return result.IsNull ? null : Decode((RedisValue[])result!);
    }

    public override async ValueTask<long> IncrementAsync(string key, long delta, CancellationToken cancellationToken)
    {
        var arguments = NowOnly();
        arguments[0] = delta;
        try
        {
            return (long)await EvaluateAsync(RedisCacheScripts.Increment, key, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException error) when (error.Message.Contains("NOTINT", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(Stockpile.Internal.ExceptionMessages.CacheNotAnInteger(key), error);
        }
    }

    public override async ValueTask<long[]> GetTagVersionsAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var keys = new RedisKey[tags.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = _tagPrefix + tags[i];
        }

        var database = await _database(cancellationToken).ConfigureAwait(false);
        var values = await database.StringGetAsync(keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        return Array.ConvertAll(values, static v => v.IsNull ? 0L : (long)v);
    }

    public override async ValueTask BumpTagAsync(string tag, CancellationToken cancellationToken)
    {
        var database = await _database(cancellationToken).ConfigureAwait(false);
        await database.StringIncrementAsync(_tagPrefix + tag).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<RedisResult> EvaluateAsync(string script, string key, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        var database = await _database(cancellationToken).ConfigureAwait(false);
        return await database.ScriptEvaluateAsync(script, [KeyOf(key)], arguments).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private long NowMilliseconds() => _clock.Time.GetUtcNow().ToUnixTimeMilliseconds();

    private RedisValue[] NowOnly() => [RedisValue.EmptyString, RedisValue.EmptyString, RedisValue.EmptyString, RedisValue.EmptyString, 0, NowMilliseconds()];

    /// <summary>The script arguments of an entry: has-value, bytes, expiry, tags, TTL in ms, now.</summary>
    private RedisValue[] Encode(CacheEntry entry)
    {
        var now = NowMilliseconds();
        var bytes = entry.Bytes ?? (entry.Instance is { } instance ? Serialize(instance) : null);
        long expiry = 0, ttl = 0;
        if (entry.ExpiresAt is { } at)
        {
            expiry = at.ToUnixTimeMilliseconds();
            ttl = Math.Max(1, expiry - now);
        }

        return
        [
            bytes is null && entry.Instance is null ? "0" : "1",
            bytes ?? RedisValue.EmptyString,
            entry.ExpiresAt is null ? RedisValue.EmptyString : expiry,
            EncodeTags(entry.Tags),
            ttl,
            now,
        ];
    }

    private byte[] Serialize(object instance)
    {
        var buffer = new ArrayBufferWriter<byte>();
        _serializer.Serialize(buffer, instance, instance.GetType());
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The entry an <c>HMGET h v e t</c> read, or <see langword="null"/> for none or one past its expiry.</summary>
    private CacheEntry? Decode(RedisValue[] fields)
    {
        if (fields.Length < 4 || fields[0].IsNull)
        {
            return null;
        }

        DateTimeOffset? expiresAt = null;
        if (!fields[2].IsNullOrEmpty)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2]);
            if (at <= _clock.Time.GetUtcNow())
            {
                return null;
            }

            expiresAt = at;
        }

        var bytes = fields[0] == "1" ? (byte[])fields[1]! : null;
        return new CacheEntry(null, bytes, expiresAt, _clock.DeadlineOf(expiresAt), DecodeTags(fields[3]));
    }

    /// <summary>Tag stamps as <c>length:tag version;</c> repeated (the length makes any tag text safe).</summary>
    private static RedisValue EncodeTags(TagStamp[]? tags)
    {
        if (tags is not { Length: > 0 })
        {
            return RedisValue.EmptyString;
        }

        var builder = new StringBuilder();
        foreach (var stamp in tags)
        {
            builder.Append(stamp.Tag.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(stamp.Tag)
                .Append(stamp.Version.ToString(CultureInfo.InvariantCulture)).Append(';');
        }

        return builder.ToString();
    }

    private static TagStamp[]? DecodeTags(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var text = (string)value!;
        var stamps = new List<TagStamp>();
        var position = 0;
        while (position < text.Length)
        {
            var colon = text.IndexOf(':', position);
            var length = int.Parse(text.AsSpan(position, colon - position), CultureInfo.InvariantCulture);
            var tag = text.Substring(colon + 1, length);
            var end = text.IndexOf(';', colon + 1 + length);
            var version = long.Parse(text.AsSpan(colon + 1 + length, end - colon - 1 - length), CultureInfo.InvariantCulture);
            stamps.Add(new TagStamp(tag, version));
            position = end + 1;
        }

        return [.. stamps];
    }
}
