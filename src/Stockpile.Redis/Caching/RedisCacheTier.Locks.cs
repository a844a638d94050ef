using StackExchange.Redis;
using Stockpile.Internal.Caching;

namespace Stockpile.Redis.Caching;

/// <content>
/// The stampede locks: <c>SET lock token NX PX expiration</c> to take one, a compare-and-delete script to release it.
/// A lock lives under <c>…#lock:{key}</c>, whose hash tag is the entry's, so it sits in the value's cluster slot.
/// While Redis is unavailable a lock is taken at once: every process makes its own value, as without the lock.
/// </content>
internal sealed partial class RedisCacheTier : ICacheLocks
{
    /// <inheritdoc/>
    public override ICacheLocks? Locks => this;

    /// <summary>Gets the Redis key of a cache key's stampede lock.</summary>
    internal RedisKey LockKeyOf(string key) => string.Concat(_namespace, "#lock:{", key, "}");

    public async ValueTask<bool> TryAcquireAsync(string key, string token, TimeSpan expiration, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync((Key: LockKeyOf(key), Token: token, Expiration: expiration), static async (database, s, ct) =>
                await database.StringSetAsync(s.Key, s.Token, s.Expiration, When.NotExists).WaitAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ReadFailed(ex, "lock"))
        {
            return true;
        }
    }

    public async ValueTask ReleaseAsync(string key, string token, CancellationToken cancellationToken) =>
        await EvaluateAsync(RedisCacheScripts.Release, [LockKeyOf(key)], [token], cancellationToken).ConfigureAwait(false);
}
