namespace Stockpile.Redis.Internal;

/// <summary>
/// The scripts of the cluster layout: each touches the keys of one object or one alternate key only (its value or
/// pointer, side record and lease, which share a hash slot), so none fails with CROSSSLOT. A put or delete runs
/// several, slot by slot; what keeps them safe without one atomic step is that a pointer is trusted only while the
/// object it points to still lists the key (its side record) and still holds the key's value (checked on read).
/// </summary>
internal static class RedisClusterScripts
{
    /// <summary>
    /// Writes an object. KEYS: primary, side record, lease. ARGV: value, ttl in ms (<c>0</c> never, <c>-1</c> already
    /// expired), lease token (empty: none), then the alternate keys. With a token that no longer matches the lease,
    /// the object is evicted instead. Returns { status (0 evicted, 1 written, 2 removed as expired), old alternate keys }.
    /// </summary>
    public static RedisScript PutObject { get; } = new("""
        local primary, side, lease = KEYS[1], KEYS[2], KEYS[3]
        local value, ttl, token = ARGV[1], ARGV[2], ARGV[3]
        local old = redis.call('SMEMBERS', side)
        if token ~= '' and redis.call('GET', lease) ~= token then
          redis.call('DEL', primary, side, lease)
          return {0, old}
        end
        redis.call('DEL', lease, side)
        if ttl == '-1' then
          redis.call('DEL', primary)
          return {2, old}
        end
        if ttl == '0' then redis.call('SET', primary, value) else redis.call('SET', primary, value, 'PX', ttl) end
        for i = 4, #ARGV do redis.call('SADD', side, ARGV[i]) end
        if #ARGV >= 4 and ttl ~= '0' then redis.call('PEXPIRE', side, ttl) end
        return {1, old}
        """);

    /// <summary>
    /// Points an alternate key at an object and ends its lease. KEYS: alternate key, its lease. ARGV: pointer, ttl in
    /// ms. Returns the primary key of the object that held the key before (to evict if it still lists it), or nil.
    /// </summary>
    public static RedisScript PutPointer { get; } = new("""
        local held = redis.call('GET', KEYS[1])
        redis.call('DEL', KEYS[2])
        if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
        if held and held ~= ARGV[1] and string.byte(held, 1) == 80 then return string.sub(held, 2) end
        return false
        """);

    /// <summary>
    /// Checks and ends the lease of an alternate key a put carries a token for. KEYS: the lease. ARGV: the token.
    /// Returns 1 when the token still holds the lease.
    /// </summary>
    public static RedisScript TakeLease { get; } = new("""
        local held = redis.call('GET', KEYS[1])
        redis.call('DEL', KEYS[1])
        if held == ARGV[1] then return 1 end
        return 0
        """);

    /// <summary>
    /// Evicts an object: value, side record, lease. KEYS: primary, side record, lease. ARGV: optionally an alternate
    /// key the object must still list (otherwise nothing happens, and nil is returned). Returns { removed (0 or 1),
    /// the alternate keys it listed }.
    /// </summary>
    public static RedisScript EvictObject { get; } = new("""
        if ARGV[1] and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return false end
        local members = redis.call('SMEMBERS', KEYS[2])
        local removed = redis.call('DEL', KEYS[1])
        redis.call('DEL', KEYS[2], KEYS[3])
        return {removed, members}
        """);

    /// <summary>Removes an alternate key's pointer if it still points where given, and its lease. KEYS: alternate key, lease. ARGV: the pointer.</summary>
    public static RedisScript UnlinkPointer { get; } = new("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        redis.call('DEL', KEYS[2])
        return 0
        """);

    /// <summary>Ends a look-up's lease and returns what the key holds if it is a pointer (nil otherwise). KEYS: key, lease.</summary>
    public static RedisScript Lookup { get; } = new("""
        redis.call('DEL', KEYS[2])
        local held = redis.call('GET', KEYS[1])
        if held and string.byte(held, 1) == 80 then return held end
        return false
        """);
}
