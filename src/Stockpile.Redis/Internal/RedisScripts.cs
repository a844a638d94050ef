namespace Stockpile.Redis.Internal;

/// <summary>
/// The scripts that keep an object's entries consistent in one atomic step on the server: its value under the primary
/// key, a pointer (<c>'P'</c> + primary key) under each alternate key, and a side record (a set named primary key +
/// <see cref="SideRecordSuffix"/>) listing the alternate keys the object is filed under.
/// </summary>
/// <remarks>
/// The side record is what lets a script find an object's pointers without reading the serialized value. A pointer is
/// removed only while it still points at the object being changed, so an alternate key that now belongs to another
/// object is never touched. Keys the scripts discover (old pointers, other objects) are not declared in <c>KEYS</c>:
/// they live on one server, which is why these scripts serve a single Redis server; on a cluster the store runs
/// <see cref="RedisClusterScripts"/>, slot by slot.
/// </remarks>
internal static partial class RedisScripts
{
    /// <summary>
    /// Appended to a primary key to name its side record (see <see cref="RedisKeyPatterns"/>).
    /// </summary>
    public const string SideRecordSuffix = RedisKeyPatterns.SideRecordSuffix;

    /// <summary>
    /// Appended to a key to name its write fence on a cluster (see <see cref="RedisClusterScripts"/>): the server time
    /// (µs) of the last put or delete that touched the key, kept for <see cref="FenceMilliseconds"/>. On one server the
    /// fences live in buckets instead (see <see cref="RedisKeyPatterns.FenceBucketKey"/>).
    /// </summary>
    public const string FenceSuffix = RedisKeyPatterns.FenceSuffix;

    /// <summary>
    /// How long after its stamp a put may arrive and still be written without looking at fences: no caller gives up on
    /// a put this soon (a timeout is far longer), so a newer write that overtook it cannot be one made after its caller
    /// gave up. A put that arrives later is checked (see <see cref="Put"/>).
    /// </summary>
    public const int LatePutMilliseconds = 10;

    // LatePutMilliseconds in µs, as the scripts compare it (a constant string: the fast path is a constant).
    internal const string LatePutMicroseconds = "10000";

    /// <summary>How long a fence is kept, and how long a read's lease is good for: a back-fill after that is refused.</summary>
    /// <remarks>The scripts take a fence bucket's number from the server time's seconds without their last digit: this is 10 s.</remarks>
    public const int FenceMilliseconds = 10_000;

    // The put and delete scripts fence every key they touch with the server time, taken once per script call, kept as
    // a 16-digit string of µs (a Lua number would be written to Redis in %.14g and lose precision). The fences of one
    // call are written with one HSET into the bucket of the current ten seconds (a field per key; a newer fence of a
    // key overwrites its older one), instead of one SET … PX per key: a fence set at t must be seen until t + 10 s, and
    // lives in bucket floor(t / 10 s), so a back-fill whose lease is younger than 10 s finds every fence that matters
    // in the current bucket or the one before. The call that starts a bucket (adds a field and finds the bucket
    // without a lifetime; a call that only overwrites fields need not look) gives it 30 s and unlinks the bucket of
    // twenty seconds before, which no lease can need any more (UNLINK frees a large hash in the background, where an
    // expiry would free it on the server's main thread). Numbers given to redis.call are strings: Lua formats a
    // number on every call. The suffixes, the bucket's name and the fence lifetime are written into the script's text.
    private const string Clock = $$"""
        local suffix, fences = '{{SideRecordSuffix}}', prefix .. '{{RedisKeyPatterns.FenceBucketInfix}}'
        local clock = redis.call('TIME')
        local micros = clock[2]
        local now = clock[1] .. string.rep('0', 6 - #micros) .. micros
        local bucket = string.sub(clock[1], 1, -2)

        """;

    // After the HSET of fences `added` new fields into the bucket `key`: the call that starts a bucket gives it its
    // lifetime and unlinks the bucket of twenty seconds before. It also makes the bucket a hash table: a small hash is
    // a listpack, where each field set scans every field there, so 200 fences into a bucket of 200 (a save of 100 rows)
    // cost the server ten times what a hash table costs; keys shorter than hash-max-listpack-value (64 bytes by default)
    // never convert it until hash-max-listpack-entries (128, often 512). A value longer than any sensible
    // hash-max-listpack-value converts it; its field, the empty string, is no key's name.
    private const string StartBucket = """
        if added > 0 and redis.call('TTL', key) == -1 then
          redis.call('HSET', key, '', string.rep('0', 4096))
          redis.call('EXPIRE', key, '30')
          redis.call('UNLINK', fences .. tostring(tonumber(bucket) - 2))
        end
        """;

    // The helpers of the put and delete scripts: Lua makes a closure of each every time the script's body runs past
    // them, so a put that needs none of them (see PutFastPath) returns before reaching them.
    private const string Functions = $$"""
        local stamps, stamped = {}, 0
        local function flush()
          if stamped > 0 then
            local key = fences .. bucket
            local added = redis.call('HSET', key, unpack(stamps, 1, stamped))
            stamped = 0
        {{StartBucket}}
          end
        end
        local function stamp(key)
          stamps[stamped + 1] = key
          stamps[stamped + 2] = now
          stamped = stamped + 2
          if stamped >= 1000 then flush() end
        end
        -- Whether a key read from Redis itself (a side record's member, a pointer's owner) is of the store's object
        -- shape: prefix, '{', a non-empty hash tag, '}' at the end (see RedisKeyPatterns.IsObjectKey). A corrupt or
        -- foreign record naming any other key never makes a script touch it.
        local opening = prefix .. '{'
        local function ours(key)
          return #key > #opening + 1 and string.sub(key, 1, #opening) == opening
            and string.byte(key, #opening + 1) ~= 125 and string.byte(key, -1) == 125
        end
        local function unlink(alt, primary)
          if redis.call('GET', alt) == 'P' .. primary then
            redis.call('DEL', alt)
          end
        end
        local function evict(primary)
          local side = primary .. suffix
          for _, alt in ipairs(redis.call('SMEMBERS', side)) do
            if ours(alt) then
              unlink(alt, primary)
              stamp(alt)
            end
          end
          redis.call('DEL', side)
          stamp(primary)
          return redis.call('DEL', primary)
        end
        local function claimed(alt, held, pointer)
          if held and held ~= pointer and string.byte(held, 1) == 80 then
            local owner = string.sub(held, 2)
            if ours(owner) and redis.call('SISMEMBER', owner .. suffix, alt) == 1 then evict(owner) end
          end
        end

        """;

    /// <summary>
    /// Reads keys for a chain, with the read's lease: the server time before the values were read. KEYS: the keys.
    /// Returns the time (a 16-digit string of µs), then the values, nil for a miss.
    /// </summary>
    /// <remarks>
    /// The chain hands the time back to the back-fill that follows a miss (see <see cref="Put"/>). Any write that
    /// committed to the database after this read's database read fences the keys it evicts later than this time, so
    /// the back-fill of what may be the older state is refused. No key is written: a read leaves nothing behind.
    /// </remarks>
    public static RedisScript Read { get; } = new("""
        local clock = redis.call('TIME')
        local values = { clock[1] .. string.format('%06d', tonumber(clock[2])) }
        for i = 1, #KEYS do
          values[i + 1] = redis.call('GET', KEYS[i])
        end
        return values
        """);

    /// <summary>
    /// Starts the clear fence of a server that has none (a new one, or one restarted or flushed, which lost its fences):
    /// the server time. KEYS: the clear fence key. A store runs it before its first call and after every reconnect, so
    /// the leases it takes afterwards are younger than the fence, and a back-fill read before a restart is refused.
    /// </summary>
    /// <remarks>Returns the server time (µs, as a string), which the store's <see cref="RedisWriteClock"/> takes in.</remarks>
    public static RedisScript StartClearFence { get; } = new("""
        local clock = redis.call('TIME')
        local now = clock[1] .. string.format('%06d', tonumber(clock[2]))
        if redis.call('EXISTS', KEYS[1]) == 0 then
          redis.call('SET', KEYS[1], now)
        end
        return now
        """);

    /// <summary>
    /// Fences a clear: the server time under the clear fence key. KEYS: the clear fence key. ARGV: the fence lifetime in ms.
    /// </summary>
    /// <remarks>Returns the fence (µs, as a string), which the store's <see cref="RedisWriteClock"/> takes in.</remarks>
    public static RedisScript FenceClear { get; } = new("""
        local clock = redis.call('TIME')
        local now = clock[1] .. string.format('%06d', tonumber(clock[2]))
        redis.call('SET', KEYS[1], now)
        return now
        """);

    /// <summary>
    /// Deletes objects by look-ups. KEYS: primary or alternate keys. ARGV: the store's key prefix, and how many of the
    /// first keys count towards the result (all when absent; the keys after them are the other key layout's, removed
    /// alike but not counted: see <see cref="RedisStoreOptions.EvictOtherKeyLayout"/>). A pointer the object no longer lists is stale: it is removed and the object stays (so is a pointer naming an owner not of the store's object shape). Every
    /// look-up is fenced, found or not, and so is every key of an object removed: a back-fill that read any of them
    /// before this delete is refused, and so is a put sent before it that arrives after it. Returns how many objects
    /// were removed, and the fences' time (µs, as a string) for the store's <see cref="RedisWriteClock"/>.
    /// </summary>
    public static RedisScript Delete { get; } = new("local prefix = ARGV[1]\n" + Clock + Functions + """
        local removed, counted = 0, tonumber(ARGV[2]) or #KEYS
        """ + "\n" + DeleteBody + """
        return { removed, now }
        """);

    /// <summary>
    /// <see cref="Delete"/>, then a message published on a channel, in the same script: the message leaves only once
    /// every look-up is gone, whatever the order the server took other clients' commands in. KEYS: as for
    /// <see cref="Delete"/>. ARGV: the store's key prefix, the channel, the message, and how many of the first keys
    /// count (as <see cref="Delete"/>'s second). Returns how many objects were removed, how many clients received the
    /// message, or -1 if the server refused the publish (an ACL without the channel, say: the deletes stand, and the
    /// caller publishes as usual), and the fences' time.
    /// </summary>
    public static RedisScript DeleteAndPublish { get; } = new("local prefix = ARGV[1]\n" + Clock + Functions + """
        local removed, counted = 0, tonumber(ARGV[4]) or #KEYS
        """ + "\n" + DeleteBody + """
        local received = redis.pcall('PUBLISH', ARGV[2], ARGV[3])
        if type(received) ~= 'number' then received = -1 end
        return { removed, received, now }
        """);

    // The body of the delete scripts: every look-up fenced, found objects evicted, stale pointers removed; counts in
    // `removed` the objects the first `counted` look-ups removed, with the fences written.
    private const string DeleteBody = """
        for i = 1, #KEYS do
          local key, gone = KEYS[i], 0
          stamp(key)
          local held = redis.call('GET', key)
          if held then
            if string.byte(held, 1) ~= 80 then
              gone = evict(key)
            else
              local owner = string.sub(held, 2)
              if ours(owner) and redis.call('SISMEMBER', owner .. suffix, key) == 1 then
                gone = evict(owner)
              else
                redis.call('DEL', key)
              end
            end
          end
          if i <= counted then removed = removed + gone end
        end
        flush()

        """;
}
