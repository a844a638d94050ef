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
/// they live on one server, which is why these scripts need a single Redis server, not a cluster.
/// </remarks>
internal static class RedisScripts
{
    /// <summary>
    /// Appended to a primary key to name its side record. A canonical key can never end with it: after a <c>|</c>
    /// separator comes a value tag such as <c>i:</c>, never <c>#</c>, and a <c>|</c> inside a value is escaped.
    /// </summary>
    public const string SideRecordSuffix = RedisKeyPatterns.SideRecordSuffix;

    /// <summary>Appended to a key to name the lease a read took when it missed (see <see cref="Read"/>).</summary>
    public const string LeaseSuffix = RedisKeyPatterns.LeaseSuffix;

    // ARGV[1] and ARGV[2] of the put and delete scripts are the two suffixes.
    private const string Functions = """
        local suffix, lease = ARGV[1], ARGV[2]
        local function unlink(alt, primary)
          if redis.call('GET', alt) == 'P' .. primary then
            redis.call('DEL', alt)
          end
        end
        local function evict(primary)
          local side = primary .. suffix
          for _, alt in ipairs(redis.call('SMEMBERS', side)) do
            unlink(alt, primary)
            redis.call('DEL', alt .. lease)
          end
          redis.call('DEL', side, primary .. lease)
          return redis.call('DEL', primary)
        end

        """;

    /// <summary>
    /// Reads keys; each one that is missing gets a lease: the token of this read, for a while. KEYS: the keys. ARGV:
    /// the lease suffix, the token, the lease's lifetime in ms. Returns the values, nil for a miss.
    /// </summary>
    /// <remarks>
    /// A back-fill after a miss carries the token (see <see cref="Put"/>); every put and delete of the key removes the
    /// lease. So a back-fill whose database read may predate another instance's commit and eviction finds its lease
    /// gone, and evicts instead of writing what it read.
    /// </remarks>
    public static RedisScript Read { get; } = new("""
        local values = {}
        for i = 1, #KEYS do
          local value = redis.call('GET', KEYS[i])
          if value then
            values[i] = value
          else
            values[i] = false
            redis.call('SET', KEYS[i] .. ARGV[1], ARGV[2], 'PX', ARGV[3])
          end
        end
        return values
        """);

    /// <summary>
    /// Puts objects. KEYS: per object, its primary key then its alternate keys. ARGV: the two suffixes, then per object
    /// its alternate key count, its value, its time to live in ms (<c>0</c> never expires, <c>-1</c> already expired:
    /// remove it), and one lease token per key (empty when the put holds none). An object whose token no longer matches
    /// its lease is evicted instead of written. Returns how many objects were evicted so.
    /// </summary>
    public static RedisScript Put { get; } = new(Functions + """
        local k, a, refused = 1, 3, 0
        while a <= #ARGV do
          local primary, n, value, ttl = KEYS[k], tonumber(ARGV[a]), ARGV[a + 1], ARGV[a + 2]
          local side, pointer = primary .. suffix, 'P' .. primary
          local granted = true
          for j = 0, n do
            local token = ARGV[a + 3 + j]
            if token ~= '' and redis.call('GET', KEYS[k + j] .. lease) ~= token then granted = false end
          end
          for j = 0, n do redis.call('DEL', KEYS[k + j] .. lease) end
          if not granted then
            refused = refused + 1
            evict(primary)
            for j = 1, n do unlink(KEYS[k + j], primary) end
          else
            local keep = {}
            for j = 1, n do keep[KEYS[k + j]] = true end
            for _, alt in ipairs(redis.call('SMEMBERS', side)) do
              if not keep[alt] then unlink(alt, primary) end
            end
            redis.call('DEL', side)
            for j = 1, n do
              local held = redis.call('GET', KEYS[k + j])
              if held and held ~= pointer and string.byte(held, 1) == 80 then
                local owner = string.sub(held, 2)
                if redis.call('SISMEMBER', owner .. suffix, KEYS[k + j]) == 1 then evict(owner) end
              end
            end
            if ttl == '-1' then
              for j = 1, n do unlink(KEYS[k + j], primary) end
              redis.call('DEL', primary)
            elseif ttl == '0' then
              redis.call('SET', primary, value)
              for j = 1, n do
                redis.call('SET', KEYS[k + j], pointer)
                redis.call('SADD', side, KEYS[k + j])
              end
            else
              redis.call('SET', primary, value, 'PX', ttl)
              for j = 1, n do
                redis.call('SET', KEYS[k + j], pointer, 'PX', ttl)
                redis.call('SADD', side, KEYS[k + j])
              end
              if n > 0 then redis.call('PEXPIRE', side, ttl) end
            end
          end
          k = k + n + 1
          a = a + n + 4
        end
        return refused
        """);

    /// <summary>
    /// Deletes objects by look-ups. KEYS: primary or alternate keys. ARGV: the two suffixes. A pointer the object no
    /// longer lists is stale: it is removed and the object stays. Every look-up's lease goes. Returns how many objects
    /// were removed.
    /// </summary>
    public static RedisScript Delete { get; } = new(Functions + """
        local removed = 0
        for i = 1, #KEYS do
          local key = KEYS[i]
          redis.call('DEL', key .. lease)
          local held = redis.call('GET', key)
          if held then
            if string.byte(held, 1) ~= 80 then
              removed = removed + evict(key)
            else
              local owner = string.sub(held, 2)
              if redis.call('SISMEMBER', owner .. suffix, key) == 1 then
                removed = removed + evict(owner)
              else
                redis.call('DEL', key)
              end
            end
          end
        end
        return removed
        """);
}
