namespace Stockpile.Redis.Internal;

/// <summary>
/// The scripts of the cluster layout: each touches the keys of one object or one alternate key only (its value or
/// pointer, side record and fence, which share a hash slot), so none fails with CROSSSLOT. A put or delete runs
/// several, slot by slot; what keeps them safe without one atomic step is that a pointer is trusted only while the
/// object it points to still holds the key's value (checked on read) and lists the key (its side record), and that
/// a back-fill checks the fences of all its keys again after writing (and, in the script that writes them, the fences
/// of the object's own key and of each pointer's key). A pointer removed by a step that raced a put of the same object
/// is put back when the object lists its key (see <c>RedisStore.Cluster.cs</c>).
/// </summary>
/// <remarks>Fences hold the server time in µs as a 16-digit string, as in <see cref="RedisScripts"/>.</remarks>
internal static class RedisClusterScripts
{

    // Fences a key with the node's time, and returns the time (µs, as a string: the store's RedisWriteClock takes it in).
    private const string Stamp = """
        local function stamp(key, life)
          local clock = redis.call('TIME')
          local now = clock[1] .. string.format('%06d', tonumber(clock[2]))
          redis.call('SET', key, now, 'PX', life)
          return now
        end

        """;

    /// <summary>
    /// Tells, inside a back-fill's script, whether a fence was set at or after the back-fill's read (the mode argument,
    /// the read's server time): then the back-fill is refused in the same step as it would have been written, so no
    /// eviction that lands between the back-fill's first check of its fences and its write can be overtaken.
    /// </summary>
    private const string Fenced = """
        local function fenced(fence, since)
          local at = redis.call('GET', fence)
          return at and tonumber(at) >= tonumber(since)
        end

        """;

    /// <summary>
    /// Writes an object. KEYS: primary, side record, fence, and for a put the clear fence of the object's slot (see
    /// <see cref="RedisKeyPatterns.SlotClearFenceKey"/>). ARGV: value, ttl in ms (<c>0</c> never, <c>-1</c> already
    /// expired), <c>=</c> and the put's stamp (a put: the key is fenced; see <see cref="RedisScripts.Put"/>), or
    /// <c>~</c> and the stamp of a put sent again by a sender that checks the alternate keys' fences itself, or the
    /// read's lease (a back-fill, refused when the key was fenced since), the fence lifetime, then the alternate keys.
    /// A put that arrives more than <see cref="RedisScripts.LatePutMilliseconds"/> after its stamp is refused, and the
    /// object evicted, when its stamp is older than the fence lifetime, or the key or the slot's clear fence was fenced
    /// after it (read only then: a put in time reads no fence). Returns { status
    /// (1 written, 2 removed as expired, 3 a late put refused: the object evicted, 4 a late put (<c>=</c>) of an object
    /// with alternate keys, whose fences live in other slots: the object evicted, and its sender, if still waiting,
    /// checks those fences and puts again (<c>~</c>); 0 a back-fill refused, nothing changed), the old alternate keys,
    /// the fence's time (µs) when the key was fenced }.
    /// </summary>
    public static RedisScript PutObject { get; } = new(Stamp + Fenced + $$"""
        local primary, side, fence = KEYS[1], KEYS[2], KEYS[3]
        local value, ttl, mode = ARGV[1], ARGV[2], ARGV[3]
        -- '=' a put; '~' a put sent again by a sender that checks the alternate keys' fences after it (never status 4).
        local again = string.byte(mode, 1) == 126
        local put = again or string.byte(mode, 1) == 61
        if not put and fenced(fence, mode) then return {0, {} } end
        local old = redis.call('SMEMBERS', side)
        redis.call('DEL', side)
        if put then
          local sent, clock = tonumber(string.sub(mode, 2)), redis.call('TIME')
          local age = sent and tonumber(clock[1] .. string.format('%06d', tonumber(clock[2]))) - sent
          if not age or (age > {{RedisScripts.LatePutMicroseconds}} and (age >= tonumber(ARGV[4]) * 1000 or fenced(fence, sent + 1)
              or (KEYS[4] and fenced(KEYS[4], sent + 1)))) then
            redis.call('DEL', primary)
            return {3, old, stamp(fence, ARGV[4])}
          end
          if age > {{RedisScripts.LatePutMicroseconds}} and #ARGV >= 5 and not again then
            redis.call('DEL', primary)
            return {4, old, stamp(fence, ARGV[4])}
          end
        end
        local now = put and stamp(fence, ARGV[4]) or false
        if ttl == '-1' then
          redis.call('DEL', primary)
          return {2, old, now}
        end
        if ttl == '0' then redis.call('SET', primary, value) else redis.call('SET', primary, value, 'PX', ttl) end
        for i = 5, #ARGV do redis.call('SADD', side, ARGV[i]) end
        if #ARGV >= 5 and ttl ~= '0' then redis.call('PEXPIRE', side, ttl) end
        return {1, old, now}
        """);

    /// <summary>
    /// Points an alternate key at an object. KEYS: alternate key, its fence. ARGV: pointer, ttl in ms, <c>1</c> to fence
    /// the key (a put) or the read's lease (a back-fill: nothing is written when the key was fenced since), the fence
    /// lifetime. Returns { the primary key of the object that held the key before (to evict if it still lists it), or
    /// nil; the fence's time (µs) when the key was fenced (a put), or nil }: a back-fill that was refused returns nil.
    /// </summary>
    public static RedisScript PutPointer { get; } = new(Stamp + Fenced + """
        if ARGV[3] ~= '1' and fenced(KEYS[2], ARGV[3]) then return false end
        local held = redis.call('GET', KEYS[1])
        local now = ARGV[3] == '1' and stamp(KEYS[2], ARGV[4]) or false
        if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
        if held and held ~= ARGV[1] and string.byte(held, 1) == 80 then return {string.sub(held, 2), now} end
        return {false, now}
        """);

    /// <summary>
    /// Evicts an object and fences its key. KEYS: primary, side record, fence. ARGV: the fence lifetime, optionally an
    /// alternate key the object must still list (otherwise nothing happens, and nil is returned). Returns { removed
    /// (0 or 1), the alternate keys it listed, the fence's time (µs) }.
    /// </summary>
    public static RedisScript EvictObject { get; } = new(Stamp + """
        if ARGV[2] and redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return false end
        local members = redis.call('SMEMBERS', KEYS[2])
        local removed = redis.call('DEL', KEYS[1])
        redis.call('DEL', KEYS[2])
        return {removed, members, stamp(KEYS[3], ARGV[1])}
        """);

    /// <summary>
    /// Removes an alternate key's pointer if it still points where given, and fences the key. KEYS: alternate key, its
    /// fence. ARGV: the pointer, the fence lifetime. Returns { 1 when it removed the pointer, else 0; the fence's time (µs) }.
    /// </summary>
    public static RedisScript UnlinkPointer { get; } = new(Stamp + """
        local removed = 0
        if redis.call('GET', KEYS[1]) == ARGV[1] then removed = redis.call('DEL', KEYS[1]) end
        return {removed, stamp(KEYS[2], ARGV[2])}
        """);

    /// <summary>
    /// Tells whether an object lists an alternate key, and for how long it lives. KEYS: primary, side record. ARGV: the
    /// alternate key. Returns the object's time to live in ms (<c>-1</c> for none), or nil when it is absent or does not
    /// list the key.
    /// </summary>
    public static RedisScript Lists { get; } = new("""
        if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return false end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl == -2 or ttl == 0 then return false end
        return ttl
        """);

    /// <summary>
    /// Points an alternate key at an object unless the key already holds something (never replaces another object's
    /// pointer). KEYS: alternate key. ARGV: pointer, ttl in ms (<c>-1</c> for none). Returns 1 when it wrote.
    /// </summary>
    public static RedisScript RestorePointer { get; } = new("""
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        if ARGV[2] == '-1' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
        return 1
        """);

    /// <summary>
    /// Fences a look-up of a delete. KEYS: key, its fence. ARGV: the fence lifetime. Returns { what the key holds if it
    /// is a pointer (nil otherwise), the fence's time (µs) }.
    /// </summary>
    public static RedisScript Lookup { get; } = new(Stamp + """
        local now = stamp(KEYS[2], ARGV[1])
        local held = redis.call('GET', KEYS[1])
        if held and string.byte(held, 1) == 80 then return {held, now} end
        return {false, now}
        """);

    /// <summary>
    /// Tells whether a back-fill that read at <c>ARGV[1]</c> may still be written as far as one fence is concerned.
    /// KEYS: the fence (a key's, or the clear fence). ARGV: the read's time, the fence lifetime, <c>1</c> for the clear
    /// fence (which never expires: when it is missing, the node lost its fences, and it is set now). Returns { 1 when
    /// the read is younger than the lifetime and the fence is absent or older than the read, else 0; the node's time
    /// (µs), which is the clear fence's when it set it }.
    /// </summary>
    public static RedisScript FenceAllows { get; } = new("""
        local clock = redis.call('TIME')
        local time = clock[1] .. string.format('%06d', tonumber(clock[2]))
        local now = tonumber(time)
        local since = tonumber(ARGV[1])
        if not since or now - since >= tonumber(ARGV[2]) * 1000 then return {0, time} end
        local fenced = redis.call('GET', KEYS[1])
        if fenced and tonumber(fenced) >= since then return {0, time} end
        if not fenced and ARGV[3] == '1' then
          -- The clear fence is missing: the node restarted (or was flushed) and lost its fences; no older read may back-fill.
          redis.call('SET', KEYS[1], time)
          return {0, time}
        end
        return {1, time}
        """);
}
