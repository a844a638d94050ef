using StackExchange.Redis;
using Stockpile.Internal.Caching;

namespace Stockpile.Redis.Caching;

/// <content>
/// The stampede locks: <c>SET lock token NX PX expiration</c> to take one, a compare-and-delete script to release it.
/// A lock lives under <c>…#lock:{key}</c>, whose hash tag is the entry's, so it sits in the value's cluster slot.
/// </content>
internal sealed partial class RedisCacheTier : ICacheLocks
{
    /// <inheritdoc/>
    public override ICacheLocks? Locks => this;

    /// <summary>Gets the Redis key of a cache key's stampede lock.</summary>
    internal RedisKey LockKeyOf(string key) => string.Concat(_namespace, "#lock:{", key, "}");

    public async ValueTask<bool> TryAcquireAsync(string key, string token, TimeSpan expiration, CancellationToken cancellationToken)
    {
        var database = await _database(cancellationToken).ConfigureAwait(false);
        return await database.StringSetAsync(LockKeyOf(key), token, expiration, When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAsync(string key, string token, CancellationToken cancellationToken)
    {
        var database = await _database(cancellationToken).ConfigureAwait(false);
        await database.ScriptEvaluateAsync(RedisCacheScripts.Release, [LockKeyOf(key)], [token]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
