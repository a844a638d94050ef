namespace Stockpile.Redis.Internal;

/// <summary>
/// The script of the entity tag index: one set per tag, under <see cref="RedisKeyPatterns.TagSetKey"/>, holding the
/// primary keys of the objects written with the tag. It touches that one key, so it runs on a cluster too.
/// </summary>
internal static class RedisTagScripts
{
    /// <summary>
    /// Files objects under a tag. KEYS: the tag's set. ARGV: the longest time to live of the objects in ms (0: one of
    /// them never expires), then their primary keys. The set lives as long as its longest-lived member may, so members
    /// that expired do not keep it for ever; one member without expiry keeps it.
    /// </summary>
    public static RedisScript Add { get; } = new("""
        local existed = redis.call('EXISTS', KEYS[1])
        redis.call('SADD', KEYS[1], unpack(ARGV, 2))
        local ttl = tonumber(ARGV[1])
        if ttl == 0 then
          redis.call('PERSIST', KEYS[1])
        else
          local current = redis.call('PTTL', KEYS[1])
          if existed == 0 or (current >= 0 and current < ttl) then
            redis.call('PEXPIRE', KEYS[1], ttl)
          end
        end
        return 1
        """);
}
