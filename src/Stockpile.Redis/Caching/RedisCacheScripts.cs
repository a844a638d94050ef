using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <summary>
/// The Lua scripts of <see cref="RedisCacheTier"/>. Each touches one entry (cluster-safe) and runs atomically on the
/// server. An entry is one string, a header then the value's bytes (<see cref="RedisCacheEntryFormat"/>); the header's
/// expiry is measured against the cache's clock (an argument, <c>now</c>), so an entry past it is absent even before
/// Redis's own TTL (set alongside) removes it. A key that holds anything else (an entry of the former hash layout) is
/// no entry: a read misses and a write replaces it.
/// </summary>
internal static class RedisCacheScripts
{
    private const string Functions = """
        local function read(k, now)
          local v = redis.pcall('GET', k)
          if type(v) ~= 'string' then return false end
          local kind = string.byte(v, 1)
          if kind ~= 1 and kind ~= 2 then return false end
          local e, n, p = string.match(v, '^(%d*);(%d+);()', 2)
          if not p then return false end
          if e ~= '' and tonumber(e) <= now then redis.call('DEL', k) return false end
          return v, p + tonumber(n)
        end

        """;

    /// <summary>
    /// Stores the entry only when no live one exists, as <see cref="Set"/> does (stamped, fencing the key; a late add
    /// that something overtook removes the key instead). KEYS and ARGV: as <see cref="Set"/>'s, then now (the cache's
    /// clock, ms). An add that finds a live entry changes nothing, late or not: a late add refused after another add
    /// stored must not remove that entry (a third add would then store too). Returns { 1 when stored, the server time (µs): the fence when it wrote one }.
    /// </summary>
    public const string Add = Functions + FenceFunction + StampClock + """
        if read(KEYS[1], tonumber(ARGV[4])) then return {0, server} end
        """ + "\n" + StampCheck + Store;

    /// <summary>
    /// Stores an entry (a set): KEYS: the entry, its fence, the flush fence (the namespace's on one server; on a cluster,
    /// where that lives in another slot, the entry's slot's, which a flush writes too), the key's count fence (written
    /// by increments). ARGV: the entry, its TTL in ms (0 for none), the set's stamp (the server time it was
    /// sent, µs: see <see cref="RedisWriteClock"/>). A set that arrives more than
    /// <see cref="RedisScripts.LatePutMilliseconds"/> after its stamp (its bytes sat on a socket its sender gave up on)
    /// is written only if the key was not fenced (by a set, add, made value, remove, pull or increment) nor the
    /// namespace flushed after the stamp, and the stamp is younger than the fence lifetime; otherwise the key is removed
    /// and fenced (a miss is always safe). Every write fences the key with its time, so a later late write can tell.
    /// Returns { 1 when stored, 0 when refused; the fence it wrote (µs, at least the server time) }.
    /// </summary>
    public const string Set = FenceFunction + Stamped + Store;

    // The stamp check of a set or add: `server` is the call's time (µs, as text); a late write that something overtook
    // removes and fences the key, and answers 0.
    private const string Stamped = StampClock + StampCheck;

    // The call's time: `micros` (a number) and `server` (µs, as text).
    private const string StampClock = """
        local clock = redis.call('TIME')
        local micros = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
        local server = string.format('%.0f', micros)

        """;

    private const string StampCheck = $$"""
        local sent = tonumber(ARGV[3])
        if not sent or micros - sent > {{RedisScripts.LatePutMicroseconds}} then
          local function since(k) return k and (tonumber(redis.call('GET', k) or '0') or 0) > sent end
          if not sent or micros - sent >= {{FenceLife}} * 1000 or since(KEYS[2]) or since(KEYS[3]) or since(KEYS[4]) then
            redis.call('DEL', KEYS[1])
            return {0, {{StampedFenceKey}}}
          end
        end

        """;

    private const string Store = $$"""
        if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) else redis.call('SET', KEYS[1], ARGV[1]) end
        return {1, {{StampedFenceKey}}}
        """;

    /// <summary>How long a key's write fence is kept, in ms (a minute): a made value's write that lands later than this after its read may overtake a removal; it is sent at once, and lands within milliseconds.</summary>
    private const string FenceLife = "60000";

    /// <summary>How long a key's write fence is kept, in ms (see <see cref="FenceLife"/>).</summary>
    public const int FenceLifeMilliseconds = 60000;

    // A fence: a value the key never held before (the server time in µs, or one past the previous value when later),
    // so a made value's write can tell that a removal or flush came after the read that saw the fence as it was. A
    // script that has read the server's time already passes it (`now`, µs) instead of asking TIME again.
    private const string FenceFunction = """
        local function fence(k, life, now)
          if not now then
            local t = redis.call('TIME')
            now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          end
          local v = (tonumber(redis.call('GET', k) or '0') or 0) + 1
          if v < now then v = now end
          v = string.format('%.0f', v)
          if life then redis.call('SET', k, v, 'PX', life) else redis.call('SET', k, v) end
          return v
        end

        """;

    private const string FenceKey = "fence(KEYS[2], " + FenceLife + ")";

    // The fence of a set or add, at the time its stamp check read (`micros`, see Stamped): one TIME per call.
    private const string StampedFenceKey = "fence(KEYS[2], " + FenceLife + ", micros)";

    /// <summary>Removes the entry and fences it (KEYS[2], see <see cref="SetMade"/>). ARGV[1]: now. Returns { 1 when a live one existed, else 0; the fence (µs) }, which the tier's write clock observes.</summary>
    public const string Remove = Functions + FenceFunction + "local l = read(KEYS[1], tonumber(ARGV[1])) redis.call('DEL', KEYS[1]) local f = " + FenceKey + " if l then return {1, f} end return {0, f}";

    /// <summary>Reads and removes a live entry, or answers nil; fences the key (KEYS[2]) when it removed one. ARGV[1]: now. Returns { the entry (the whole string), the fence (µs) }.</summary>
    public const string Take = Functions + FenceFunction + """
        local v = read(KEYS[1], tonumber(ARGV[1]))
        if not v then return false end
        redis.call('DEL', KEYS[1])
        """ + "\nreturn {v, " + FenceKey + "}";

    /// <summary>Fences a flush (KEYS[1], the namespace's flush fence, kept for ever): set before the scan starts. Returns the fence (µs), which a cluster's flush copies into every slot.</summary>
    public const string FenceFlush = FenceFunction + "return fence(KEYS[1], nil)";

    /// <summary>
    /// Stores a value made after a read found none, unless the key was written since that read (by any instance):
    /// its fence (KEYS[2]: a remove or pull) or the namespace's flush fence (KEYS[3], on one server; a cluster checks it
    /// after) differs from what the read saw (ARGV[4], ARGV[5]; empty for none), or the key holds a live entry other
    /// than what the read found (ARGV[6], empty for none: a set, add or increment since). ARGV[1..3]: the entry, its TTL
    /// in ms (0 for none), now. With ARGV[7] and ARGV[8] (the backplane's channel and message), a write that stored
    /// publishes the message after it, in the same script: one round trip, and nothing is announced that did not land.
    /// Returns { 2 when stored and published, 1 when stored and not published (none asked, or the server refused the
    /// <c>PUBLISH</c>: an ACL without the channel, say; the caller publishes as usual); the fence (µs) }, or { 0 } when refused.
    /// </summary>
    public const string SetMade = Functions + FenceFunction + """
        if (redis.call('GET', KEYS[2]) or '') ~= ARGV[4] then return {0} end
        if KEYS[3] and (redis.call('GET', KEYS[3]) or '') ~= ARGV[5] then return {0} end
        local held = redis.pcall('GET', KEYS[1])
        if type(held) == 'string' and held ~= ARGV[6] and read(KEYS[1], tonumber(ARGV[3])) then return {0} end
        if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) else redis.call('SET', KEYS[1], ARGV[1]) end
        """ + "\nlocal f = " + FenceKey + """

        if ARGV[8] and type(redis.pcall('PUBLISH', ARGV[7], ARGV[8])) == 'number' then return {2, f} end
        return {1, f}
        """;

    /// <summary>Deletes the entry only if it still holds exactly ARGV[1] (a made value a later flush must not keep); 1 when deleted.</summary>
    public const string Unset = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    /// <summary>
    /// Adds ARGV[1] to the integer value, keeping the header (expiry, tags) and the TTL; a missing (or expired) key
    /// starts at 0 and lives forever. The sum is made by <c>INCRBY</c> on KEYS[2], a scratch key in the entry's slot
    /// deleted at once, so it is exact over the whole 64-bit range (Lua's numbers are doubles) and read back as text.
    /// A value that is not an integer is left as it was and answered with the error <c>NOTINT</c>, an overflow with
    /// <c>OVERFLOW</c>. KEYS[3]: the key's fence; KEYS[4]: its count fence; KEYS[5]: the flush fence (as
    /// <see cref="Set"/>'s KEYS[3]). ARGV[2]: now; ARGV[3]: the increment's stamp (as a set's). Stamped as a set: one
    /// arriving late is not applied when the key was set, added, removed or pulled (its fence) or the namespace flushed
    /// after the stamp (increments commute, so another increment since does not refuse it); every increment writes the
    /// count fence, so a late set does not wipe out a count made after it was sent. Returns { the sum as text, or empty
    /// when refused (nothing changed); the server time (µs) }.
    /// </summary>
    public const string Increment = Functions + $$"""
        local clock = redis.call('TIME')
        local micros = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
        local server = string.format('%.0f', micros)
        local sent = tonumber(ARGV[3])
        if not sent or micros - sent > {{RedisScripts.LatePutMicroseconds}} then
          local function since(k) return (tonumber(redis.call('GET', k) or '0') or 0) > sent end
          if not sent or micros - sent >= {{FenceLife}} * 1000 or since(KEYS[3]) or since(KEYS[5]) then return {'', server} end
        end
        local v, p = read(KEYS[1], tonumber(ARGV[2]))
        local head, n = '\1;0;', '0'
        if v then
          if string.byte(v, 1) ~= 1 then return redis.error_reply('NOTINT value is not an integer') end
          head = string.sub(v, 1, p - 1)
          n = string.sub(v, p)
        else
          redis.call('DEL', KEYS[1])
        end
        if not string.match(n, '^%-?%d+$') then return redis.error_reply('NOTINT value is not an integer') end
        redis.call('SET', KEYS[2], n)
        local r = redis.pcall('INCRBY', KEYS[2], ARGV[1])
        if type(r) == 'table' then
          redis.call('DEL', KEYS[2])
          if string.find(r.err, 'overflow', 1, true) then return redis.error_reply('OVERFLOW ' .. r.err) end
          return redis.error_reply('NOTINT ' .. r.err)
        end
        n = redis.call('GET', KEYS[2])
        redis.call('DEL', KEYS[2])
        redis.call('SET', KEYS[1], head .. n, 'KEEPTTL')
        redis.call('SET', KEYS[4], server, 'PX', {{FenceLife}})
        return {n, server}
        """;

    /// <summary>Deletes a stampede lock only if ARGV[1], its holder's token, still holds it; 1 when deleted.</summary>
    public const string Release = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    /// <summary>
    /// Moves a tag's version forward (a removal by tag): to one past the current version, or to the server's time in
    /// microseconds when that is later. Versions of a tag never repeat, even when the key was lost (a master back
    /// empty, an eviction): counted from zero they would meet the stamps of values made before the loss. Answers the
    /// new version.
    /// </summary>
    public const string BumpTag = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local v = (tonumber(redis.call('GET', KEYS[1]) or '0') or 0) + 1
        if v < now then v = now end
        redis.call('SET', KEYS[1], string.format('%.0f', v))
        return v
        """;

    /// <summary>
    /// Gives each tag in KEYS that has no version one born at the server's time in microseconds (set only if still
    /// missing), and answers every tag's version as text, in order. A tag that was never removed, or was lost, never
    /// reads as a version a value made before could hold. KEYS share one slot (the tag keys' hash tag).
    /// </summary>
    public const string BornTags = """
        local t = redis.call('TIME')
        local now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
        local out = {}
        for i, k in ipairs(KEYS) do
          redis.call('SET', k, now, 'NX')
          out[i] = redis.call('GET', k)
        end
        return out
        """;
}
