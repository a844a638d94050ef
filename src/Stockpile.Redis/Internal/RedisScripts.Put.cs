namespace Stockpile.Redis.Internal;

internal static partial class RedisScripts
{
    // The short form of a put of one object has four arguments; the long form has three, then three per object.
    private const string PutArguments = """
        local one = #ARGV == 4
        local prefix = ARGV[one and 1 or 2]

        """;

    // A put of one object (no lease, one value, not expired) whose alternate keys all pointed at it already and whose
    // side record has as many members (so lists exactly them: every pointer to an object is listed by it) is the put
    // an application makes again and again. It runs here, inline: no Lua closure, table or function call of the general
    // code, which Lua would make on every call (about 1.5 µs of the script's 7 µs, measured in a loop inside one call),
    // and the fences in one HSET whose fields are written out for up to two alternate keys (building the HSET's
    // arguments in a table doubled its cost). Anything else (a pointer that was another object's or missing, a side
    // record to change) sets `written` and `taken` (alternate key, what it held: the pointers' previous values) and
    // falls through to the general code, which then evicts the objects the keys were taken from and changes the side
    // record, as it would have after writing the pointers itself.
    private const string PutFastPath = $$"""
        local written, taken
        local sent, micros = tonumber(ARGV[one and 2 or 3]), tonumber(now)
        if (one or (ARGV[1] == '' and #ARGV == 6)) and ARGV[#ARGV] ~= '-1' and sent and micros - sent <= {{LatePutMicroseconds}} then
          local primary, n, value, ttl = KEYS[1], #KEYS - 1, ARGV[#ARGV - 1], ARGV[#ARGV]
          local pointer = 'P' .. primary
          if ttl == '0' then redis.call('SET', primary, value) else redis.call('SET', primary, value, 'PX', ttl) end
          for j = 2, n + 1 do
            local was
            if ttl == '0' then was = redis.call('SET', KEYS[j], pointer, 'GET') else was = redis.call('SET', KEYS[j], pointer, 'PX', ttl, 'GET') end
            if was ~= pointer then
              taken = taken or {}
              taken[#taken + 1] = KEYS[j]
              taken[#taken + 1] = was
            end
          end
          local side = primary .. suffix
          if not taken and redis.call('SCARD', side) == n then
            if n > 0 then
              if ttl == '0' then redis.call('PERSIST', side) else redis.call('PEXPIRE', side, ttl) end
            end
            local key, added = fences .. bucket
            if n == 2 then
              added = redis.call('HSET', key, primary, now, KEYS[2], now, KEYS[3], now)
            elseif n == 1 then
              added = redis.call('HSET', key, primary, now, KEYS[2], now)
            elseif n == 0 then
              added = redis.call('HSET', key, primary, now)
            else
              local stamps = { key }
              for j = 1, n + 1 do
                stamps[2 * j] = KEYS[j]
                stamps[2 * j + 1] = now
              end
              added = redis.call('HSET', unpack(stamps))
            end
        {{StartBucket}}
            return micros
          end
          written = true
        end

        """;

    /// <summary>
    /// Puts objects, or back-fills them. KEYS: per object, its primary key then its alternate keys. ARGV, the long
    /// form: the lease
    /// (empty for a put a caller asked for: it fences every key it touches; for a back-fill, the time of the read it
    /// follows, or <c>!</c> when there was no good read), the store's key prefix, the put's stamp (the server time it
    /// was sent, see <see cref="RedisWriteClock"/>; empty for a back-fill); then per object its alternate key count,
    /// its value and its time to live in ms (<c>0</c> never expires, <c>-1</c> already expired: remove it). A back-fill
    /// is refused, and the object evicted, when its lease is <c>!</c> or older than the fence lifetime, when the store
    /// was cleared since, or when any key of the object (the one read, or any other: an invalidation may have known
    /// only that one) was fenced since. A put that arrives more than <see cref="LatePutMilliseconds"/> after its stamp
    /// is late (its bytes sat on a socket its sender gave up on): it is refused the same way, and its object evicted,
    /// when the stamp is older than the fence lifetime, when the store was cleared after the stamp, or when any key of
    /// the object was fenced after the stamp (a newer write, or the clean-up of the skipped write itself). Returns the
    /// server time of the call (µs), which the store's <see cref="RedisWriteClock"/> takes in.
    /// <para>The short form, four arguments, is a put a caller asked for of one object (the store's hot path sends it):
    /// the key prefix, the stamp, the value and the time to live; the lease is empty and the alternate key count is
    /// that of the keys after the first. Each argument costs the call about 0.3–0.7 µs to send (the client's rendering,
    /// the server's parsing and Lua's table of them); the general code reads the long form, which the short one is
    /// turned into only when the call needs it.</para>
    /// </summary>
    /// <remarks>
    /// Written for few server calls (each costs about a microsecond inside a script, and allocates its reply): the
    /// fences of the call are one <c>HSET</c>; a pointer is set and its previous holder read in one <c>SET … GET</c>;
    /// the side record is changed only where the object's alternate keys changed (kept members stay; its lifetime is
    /// renewed). An object that held one of the new alternate keys, and still lists it, is evicted after the pointer is
    /// taken from it; its clean-up leaves the new pointer alone (a pointer is removed only while it points at the
    /// object evicted). A put of one object that keeps its alternate keys takes <see cref="PutFastPath"/>.
    /// </remarks>
    public static RedisScript Put { get; } = new(PutArguments + Clock + PutFastPath + Functions + $$"""
        local args = one and { '', prefix, ARGV[2], tostring(#KEYS - 1), ARGV[3], ARGV[4] } or ARGV
        local lease, life = args[1], {{FenceMilliseconds}}
        local backfill, since = lease ~= '', tonumber(lease)
        if since then
          local clear = prefix .. '{{RedisKeyPatterns.ClearFenceInfix}}'
          local cleared = redis.call('GET', clear)
          if not cleared then
            -- No clear fence: the server restarted (or was flushed) and lost every fence; no older read may back-fill.
            redis.call('SET', clear, now)
            cleared = now
          end
          if tonumber(now) - since >= life * 1000 or tonumber(cleared) >= since then since = nil end
        end
        -- A put that arrived late: written only if no key of its object was fenced (nor the store cleared) after its
        -- stamp, which must be younger than the fences' lifetime; `sent` is nil when the whole put is refused.
        local late = not backfill and not (sent and micros - sent <= {{LatePutMicroseconds}})
        if late and sent then
          local cleared = redis.call('GET', prefix .. '{{RedisKeyPatterns.ClearFenceInfix}}')
          if micros - sent >= life * 1000 or (cleared and tonumber(cleared) > sent) then sent = nil end
        end
        -- Whether a key of the object whose keys start at k was fenced after the stamp: in the stamp's bucket and on.
        -- Fences this call set itself (the time `now`, an object before this one may have taken a key of it) do not count.
        local function fenced(k, n)
          local buckets = { bucket }
          if sent < tonumber(bucket) * 10000000 then buckets[2] = tostring(tonumber(bucket) - 1) end
          for _, b in ipairs(buckets) do
            for _, fence in ipairs(redis.call('HMGET', fences .. b, unpack(KEYS, k, k + n))) do
              if fence and fence ~= now and tonumber(fence) > sent then return true end
            end
          end
          return false
        end
        -- Removes from an object's side record the alternate keys it no longer has, with their pointers (where still
        -- its own), fenced.
        local function drop(primary, side, k, n)
          for _, alt in ipairs(redis.call('SMEMBERS', side)) do
            local kept = false
            for j = 1, n do
              if KEYS[k + j] == alt then kept = true end
            end
            if not kept then
              if ours(alt) then
                unlink(alt, primary)
                stamp(alt)
              end
              redis.call('SREM', side, alt)
            end
          end
        end
        local k, a = 1, 4
        while a <= #args do
          local primary, n, value, ttl = KEYS[k], tonumber(args[a]), args[a + 1], args[a + 2]
          local side, pointer = primary .. suffix, 'P' .. primary
          local granted = not backfill or since ~= nil
          if late then granted = sent ~= nil and not fenced(k, n) end
          if backfill and since then
            -- Fenced in this bucket (by this call too: an object before this one may have evicted a key of it) or the one before.
            flush()
            for _, b in ipairs({ bucket, tostring(tonumber(bucket) - 1) }) do
              for _, fence in ipairs(redis.call('HMGET', fences .. b, unpack(KEYS, k, k + n))) do
                if fence and tonumber(fence) >= since then granted = false end
              end
            end
          end
          if not granted then
            evict(primary)
            for j = 1, n do
              unlink(KEYS[k + j], primary)
              stamp(KEYS[k + j])
            end
          else
            if not backfill then
              for j = 0, n do stamp(KEYS[k + j]) end
            end
            if ttl == '-1' then
              drop(primary, side, k, n)
              redis.call('DEL', side)
              for j = 1, n do claimed(KEYS[k + j], redis.call('GET', KEYS[k + j]), pointer) end
              for j = 1, n do unlink(KEYS[k + j], primary) end
              redis.call('DEL', primary)
            else
              -- Whether an alternate key of the object pointed elsewhere (or nowhere) before.
              local moved = false
              if written then
                -- The fast path wrote the value and pointers, and found the side record to change: evict the objects
                -- it took an alternate key from, then change the record.
                moved = true
                for j = 1, taken and #taken or 0, 2 do claimed(taken[j], taken[j + 1], pointer) end
              elseif ttl == '0' then
                redis.call('SET', primary, value)
                for j = 1, n do
                  local held = redis.call('SET', KEYS[k + j], pointer, 'GET')
                  if held ~= pointer then moved = true claimed(KEYS[k + j], held, pointer) end
                end
              else
                redis.call('SET', primary, value, 'PX', ttl)
                for j = 1, n do
                  local held = redis.call('SET', KEYS[k + j], pointer, 'PX', ttl, 'GET')
                  if held ~= pointer then moved = true claimed(KEYS[k + j], held, pointer) end
                end
              end
              -- Every pointer to the object is listed in its side record: when each alternate key pointed to it and
              -- the record has as many members, it lists exactly them and stays; otherwise old members go and new
              -- ones join (SADD adds only the missing ones).
              if moved or redis.call('SCARD', side) ~= n then
                drop(primary, side, k, n)
                if n > 0 then redis.call('SADD', side, unpack(KEYS, k + 1, k + n)) end
              end
              if n > 0 then
                if ttl == '0' then redis.call('PERSIST', side) else redis.call('PEXPIRE', side, ttl) end
              end
            end
          end
          k = k + n + 1
          a = a + 3
        end
        flush()
        return micros
        """);
}
