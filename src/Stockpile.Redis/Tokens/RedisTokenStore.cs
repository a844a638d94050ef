using StackExchange.Redis;
using Stockpile.Internal.Tokens;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Tokens;

/// <summary>
/// Invalidation tokens on Redis, shared by every instance: one string key per token under
/// <c>storePrefix#tokens:</c> (the <c>#</c> keeps the store's scans from taking one for an object). Each command
/// touches one key, pipelined on the multiplexer, so a read of many tokens is one round trip, on a cluster too.
/// Calls go through the link's circuit breaker: while Redis is down they fail fast and key builders degrade to misses.
/// </summary>
internal sealed class RedisTokenStore : TokenStore
{
    /// <summary>
    /// Returns the token, making it (a new random value, <c>ARGV[1]</c>, with a TTL of <c>ARGV[2]</c> ms; 0 for none) when
    /// it is missing; a token read gets its full TTL again, so only a token left untouched for a lifetime expires.
    /// </summary>
    private static readonly RedisScript s_getOrMake = new("""
        local v = redis.call('GET', KEYS[1])
        if v then
          if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
          return v
        end
        if tonumber(ARGV[2]) > 0 then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
        else
          redis.call('SET', KEYS[1], ARGV[1], 'NX')
        end
        return ARGV[1]
        """);

    private readonly RedisLink _link;
    private readonly string _prefix;
    private readonly TimeSpan? _expiry;
    private readonly long _expiryMilliseconds;

    /// <param name="link">The multiplexer and its circuit breaker.</param>
    /// <param name="storePrefix">The Redis store's key prefix.</param>
    /// <param name="lifetime">How long a token lives untouched; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    public RedisTokenStore(RedisLink link, string storePrefix, TimeSpan lifetime)
    {
        _link = link;
        _prefix = storePrefix + "#tokens:";
        _expiry = lifetime == Timeout.InfiniteTimeSpan ? null : lifetime;
        _expiryMilliseconds = _expiry is { } e ? Math.Max(1, (long)e.TotalMilliseconds) : 0;
    }

    /// <summary>Gets the Redis key of a token.</summary>
    internal RedisKey KeyOf(string name) => _prefix + name;

    public override async ValueTask<string[]?> GetAsync(IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        await _link.ExecuteAsync((Store: this, Names: names), static async (database, state, ct) =>
        {
            var reads = new Task<RedisResult>[state.Names.Count];
            for (var i = 0; i < reads.Length; i++)
            {
                reads[i] = s_getOrMake.EvaluateAsync(database, [state.Store.KeyOf(state.Names[i])], [NewValue(), state.Store._expiryMilliseconds], ct).AsTask();
            }

            await Task.WhenAll(reads).ConfigureAwait(false);
            return Array.ConvertAll(reads, static r => (string)r.Result!);
        }, cancellationToken).ConfigureAwait(false);

    public override async ValueTask BumpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        await _link.ExecuteAsync((Store: this, Names: names), static async (database, state, ct) =>
        {
            var writes = new List<Task<bool>>(state.Names.Count);
            foreach (var name in state.Names)
            {
                writes.Add(database.StringSetAsync(state.Store.KeyOf(name), NewValue(), state.Store._expiry, When.Always));
            }

            await Task.WhenAll(writes).WaitAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
}
