namespace Stockpile.Redis.Caching;

/// <summary>
/// The Lua scripts of <see cref="RedisCacheTier"/>. Each touches one key (cluster-safe) and runs atomically on the
/// server. An entry is a hash: <c>h</c> (1 when a value is present), <c>v</c> (the value's bytes), <c>e</c> (expiry in
/// Unix milliseconds of the cache's clock, empty for never), <c>t</c> (tag stamps). <c>ARGV[6]</c> is the cache's clock
/// now, so an entry past its expiry is absent even before Redis's own TTL (set alongside) removes it.
/// </summary>
internal static class RedisCacheScripts
{
    private const string Functions = """
        local function live(k, now)
          local e = redis.call('HGET', k, 'e')
          if not e then return false end
          if e ~= '' and tonumber(e) <= now then redis.call('DEL', k) return false end
          return true
        end
        local function write(k)
          redis.call('DEL', k)
          redis.call('HSET', k, 'h', ARGV[1], 'v', ARGV[2], 'e', ARGV[3], 't', ARGV[4])
          if tonumber(ARGV[5]) > 0 then redis.call('PEXPIRE', k, ARGV[5]) end
        end

        """;

    /// <summary>Replaces the entry. ARGV: has-value, value, expiry, tags, TTL in ms (0 for none), now.</summary>
    public const string Set = Functions + "write(KEYS[1]) return 1";

    /// <summary>Stores the entry only when no live one exists; 1 when stored. ARGV as <see cref="Set"/>.</summary>
    public const string Add = Functions + "if live(KEYS[1], tonumber(ARGV[6])) then return 0 end write(KEYS[1]) return 1";

    /// <summary>Removes the entry; 1 when a live one existed. ARGV[6]: now.</summary>
    public const string Remove = Functions + "local l = live(KEYS[1], tonumber(ARGV[6])) redis.call('DEL', KEYS[1]) if l then return 1 end return 0";

    /// <summary>Reads and removes a live entry (h, v, e, t), or nil. ARGV[6]: now.</summary>
    public const string Take = Functions + """
        if not live(KEYS[1], tonumber(ARGV[6])) then return false end
        local r = redis.call('HMGET', KEYS[1], 'h', 'v', 'e', 't')
        redis.call('DEL', KEYS[1])
        return r
        """;

    /// <summary>
    /// Adds ARGV[1] to the integer value, keeping expiry, TTL and tags; a missing (or expired) key starts at 0 and
    /// lives forever. A value that is not an integer is left as it was and answered with the error <c>NOTINT</c>.
    /// ARGV[6]: now.
    /// </summary>
    public const string Increment = Functions + """
        if not live(KEYS[1], tonumber(ARGV[6])) then
          redis.call('DEL', KEYS[1])
          redis.call('HSET', KEYS[1], 'h', '1', 'v', '0', 'e', '', 't', '')
        end
        local v = redis.call('HGET', KEYS[1], 'v')
        if redis.call('HGET', KEYS[1], 'h') ~= '1' or not string.match(v, '^%-?%d+$') then
          return redis.error_reply('NOTINT value is not an integer')
        end
        return redis.call('HINCRBY', KEYS[1], 'v', ARGV[1])
        """;

    /// <summary>Deletes a stampede lock only if ARGV[1], its holder's token, still holds it; 1 when deleted.</summary>
    public const string Release = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
}
