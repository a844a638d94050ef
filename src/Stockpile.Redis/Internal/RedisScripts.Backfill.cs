namespace Stockpile.Redis.Internal;

internal static partial class RedisScripts
{
    /// <summary>
    /// Back-fills one object after a chain's read missed it, in the two cases a back-fill meets nearly every time, and
    /// writes nothing otherwise. KEYS: the object's primary key, then its alternate keys. ARGV: the lease (the time of
    /// the read it follows, as <see cref="Read"/> formats it), the value and the time to live in ms (<c>0</c> never
    /// expires); the store's key prefix is what precedes the primary key's first brace (a prefix holds none, see
    /// <see cref="RedisKeyPatterns"/>): one argument fewer to send, parse and hand to Lua on every call. Returns the
    /// server time of the call (µs), which the store's <see cref="RedisWriteClock"/> takes in, or <c>-1</c> when it
    /// wrote nothing and the back-fill must go through <see cref="Put"/> (the general code, which decides it again from
    /// scratch under the same lease).
    /// </summary>
    /// <remarks>
    /// <para>It writes only when <see cref="Put"/> would write the same thing and nothing else: the back-fill is granted
    /// as <see cref="Put"/> grants it (the lease is younger than the fences' lifetime, the store was not cleared since
    /// it, and no key of the object was fenced at or after it), and the
    /// object is either new (none of its alternate keys points anywhere, its side record is empty) or filed exactly as
    /// it will be (each alternate key points at it and the side record has as many members). Then it writes the value
    /// and the pointers with the lifetime, adds the side record's members if new, and renews its lifetime: what
    /// <see cref="Put"/>'s general code writes for a granted back-fill (which fences nothing).</para>
    /// <para>Anything else (a refused back-fill, whose object <see cref="Put"/> evicts; an alternate key held by another
    /// object, which it evicts; a side record to change; a missing clear fence, which it starts) returns <c>-1</c>
    /// before any write.</para>
    /// <para>Made for the server's time, which a chain's next read waits behind: <see cref="Put"/>'s general code
    /// makes its helper closures and a table of fences on every call, and lists the side record of a new object; this
    /// makes no closure or table of its own and reads the clear fence and every pointer in one <c>MGET</c>. Every
    /// command it sends is one Redis 6.2 has.</para>
    /// <para>A fence lies in the bucket of its own time (see <see cref="Clock"/>), so a fence at or after the lease lies in
    /// the lease's bucket or a later one: the script reads the current bucket, and the one before only when the lease
    /// is older than the current bucket (a read in the last moments of ten seconds). Nearly every back-fill follows its
    /// read by a millisecond or less and reads one bucket (<see cref="Put"/>'s general code reads both).</para>
    /// </remarks>
    public static RedisScript Backfill { get; } = new($$"""
        local lease, value, ttl = ARGV[1], ARGV[2], ARGV[3]
        local since = tonumber(lease)
        local open = string.find(KEYS[1], '{', 1, true)
        if not since or not open or #ARGV ~= 3 or ttl == '-1' then return -1 end
        local clock = redis.call('TIME')
        local micros = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
        local bucket = string.sub(clock[1], 1, -2)
        if micros - since >= {{FenceMilliseconds}} * 1000 then return -1 end
        local primary, n = KEYS[1], #KEYS - 1
        local pointer, side, prefix = 'P' .. primary, primary .. '{{SideRecordSuffix}}', string.sub(primary, 1, open - 1)
        local held = redis.call('MGET', prefix .. '{{RedisKeyPatterns.ClearFenceInfix}}', unpack(KEYS, 2))
        if not held[1] or tonumber(held[1]) >= since then return -1 end
        local fences = prefix .. '{{RedisKeyPatterns.FenceBucketInfix}}'
        for _, fence in ipairs(redis.call('HMGET', fences .. bucket, unpack(KEYS))) do
          if fence and tonumber(fence) >= since then return -1 end
        end
        if since < tonumber(bucket) * 10000000 then
          for _, fence in ipairs(redis.call('HMGET', fences .. tostring(tonumber(bucket) - 1), unpack(KEYS))) do
            if fence and tonumber(fence) >= since then return -1 end
          end
        end
        local mine = 0
        for j = 2, n + 1 do
          if held[j] == pointer then mine = mine + 1 elseif held[j] then return -1 end
        end
        local members = redis.call('SCARD', side)
        local new = mine == 0 and members == 0
        if not new and (mine ~= n or members ~= n) then return -1 end
        if ttl == '0' then redis.call('SET', primary, value) else redis.call('SET', primary, value, 'PX', ttl) end
        for j = 2, n + 1 do
          if ttl == '0' then redis.call('SET', KEYS[j], pointer) else redis.call('SET', KEYS[j], pointer, 'PX', ttl) end
        end
        if n > 0 then
          if new then redis.call('SADD', side, unpack(KEYS, 2)) end
          if ttl == '0' then redis.call('PERSIST', side) else redis.call('PEXPIRE', side, ttl) end
        end
        return micros
        """);
}
