using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Stockpile.Internal;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <content>
/// The cache's fail-safe, as the Redis store's: every call (and every message of the cache's backplane) goes through
/// the link's circuit breaker, shared with the store, so an unreachable or frozen Redis costs a timeout only until the
/// circuit opens, then nothing. While Redis is unavailable:
/// <list type="bullet">
/// <item>a read is a miss (logged, counted in <c>stockpile.store.errors</c>); tag versions read as unknown
/// (<see cref="NextUnknownVersion"/>), so a tagged value is never served and a value made meanwhile is stored under
/// stamps no check finds current;</item>
/// <item>a set, add, remove, take and removal by tag is skipped (logged, counted in <c>stockpile.redis.writes.missed</c>)
/// and its Redis key remembered: the entry's key, or the tag's version key; a flush remembers the whole namespace. A
/// write that failed otherwise is remembered too (it may have landed) and throws. An increment throws: only Redis can
/// answer it. With <see cref="RedisStoreOptions.ThrowOnUnavailableWrites"/> those writes throw instead (their keys
/// are still remembered);</item>
/// <item>before the cache's next call reaches Redis, in the same call (and in the background as soon as Redis answers,
/// <see cref="RedisCatchUp"/>), the remembered keys are deleted: an entry is then a miss, and a tag's next read gives it
/// a version born at the server's time, which no value made before holds. If that fails the call fails (a miss).</item>
/// </list>
/// </content>
internal sealed partial class RedisCacheTier
{
    // The last unknown version handed out; they count down from -1.
    private static long s_lastUnknownVersion;

    private const int CleanupBatchSize = 500;

    private readonly string _name;
    private readonly bool _throwOnUnavailableWrites;
    private readonly ILogger _logger;
    private readonly StockpileMetrics _metrics;
    private readonly RedisMetrics _redisMetrics;
    private readonly RedisCatchUp _catchUp;

    /// <summary>
    /// A version for a tag whose version could not be read: negative (a real version never is), so a stamp holding
    /// it is never current; and never handed out twice, so two reads made while Redis was unavailable never look
    /// alike (a cached query joins a query under way only when their stamps match, which says no commit to its tables
    /// was applied in between: with one constant, a query started before this instance's commit was joined after it).
    /// </summary>
    internal static long NextUnknownVersion() => Interlocked.Decrement(ref s_lastUnknownVersion);

    /// <summary>Gets how many Redis keys wait to be deleted because a write did not reach Redis (for tests).</summary>
    internal int MissedKeyCount => _catchUp.Keys.Count;

    /// <summary>Publishes a message of the cache's backplane through the breaker, after the clean-up: other instances must not re-read what Redis may still hold stale.</summary>
    /// <remarks>While the circuit is closed, sent directly (<c>RedisCacheTier.Direct.cs</c>).</remarks>
    public ValueTask PublishAsync(RedisChannel channel, byte[] message, CancellationToken cancellationToken) =>
        TryEnterDirect(out _) && _link.ConnectedSubscriber is { } subscriber
            ? PublishDirectAsync(subscriber, channel, message, cancellationToken)
            : PublishGuardedAsync(channel, message, cancellationToken);

    private async ValueTask PublishGuardedAsync(RedisChannel channel, byte[] message, CancellationToken cancellationToken) =>
        await RunAsync((Link: _link, Channel: channel, Message: message), static async (_, s, ct) =>
            await s.Link.PublishAsync(s.Channel, s.Message, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public override async ValueTask DisposeAsync()
    {
        _link.Reconnected -= OnReconnected;
        _catchUp.Dispose();
        if (_ownsLink)
        {
            await _link.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Runs a call through the breaker, after the clean-up of what Redis missed.</summary>
    /// <remarks>
    /// The cache's clean-up runs inside its own calls, not in the link's <see cref="RedisLink.BeforeCall"/> as the store's
    /// does: the link (and its breaker) is the store's when there is one, and a cache's failed clean-up must fail only the
    /// cache's calls, never the store's or its backplane's; the store's must precede the backplane's publishes, which go
    /// through the link alone.
    /// </remarks>
    /// <exception cref="RedisCircuitOpenException">The circuit is open: Redis was not called.</exception>
    private ValueTask<T> RunAsync<TState, T>(TState state, Func<IDatabase, TState, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken) =>
        _link.ExecuteAsync((CatchUp: _catchUp, State: state, Call: call), static (database, s, ct) =>
            s.CatchUp.IsPending ? AfterCatchUpAsync(database, s.CatchUp, s.State, s.Call, ct) : s.Call(database, s.State, ct), cancellationToken);

    private static async ValueTask<T> AfterCatchUpAsync<TState, T>(IDatabase database, RedisCatchUp catchUp, TState state, Func<IDatabase, TState, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        await catchUp.RunAsync(database, cancellationToken).ConfigureAwait(false);
        return await call(database, state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether a failed read is an outage, answered as a miss (logged and counted); any other failure is thrown.</summary>
    private bool ReadFailed(Exception exception, string operation) => RedisLink.IsUnavailable(exception) && Skipped(exception, operation, read: true);

    /// <summary>
    /// Remembers the Redis key of a write that failed in any way (<see langword="null"/>: the whole namespace), for it
    /// may have landed; whether the failure is an outage, and the write skipped (logged and counted).
    /// </summary>
    private bool WriteFailed(Exception exception, string? redisKey, string operation)
    {
        _redisMetrics.Missed(_name, 1);
        if (redisKey is null)
        {
            _catchUp.AddEverything();
        }
        else
        {
            _catchUp.Add([redisKey]);
        }

        return RedisLink.IsUnavailable(exception) && !_throwOnUnavailableWrites && Skipped(exception, operation, read: false);
    }

    /// <summary>
    /// An error Redis answered to a write (<c>WRONGTYPE</c>, <c>OOM</c>, a script error, <c>NOPERM</c>): not an outage,
    /// so never skipped and never counted by the breaker; counted in <c>stockpile.store.errors</c> and thrown to the
    /// caller, naming the cache, the operation, the key and Redis's reason. A set's, add's, remove's or pull's key is
    /// recorded as for any failed write (<see cref="WriteFailed"/>): a script may have done part of its work.
    /// </summary>
    private InvalidOperationException Refused(RedisServerException exception, string? key, string operation)
    {
        _metrics.Error(_name, operation);
        return new InvalidOperationException(ExceptionMessages.CacheWriteRefused(_name, operation, key, exception.Message), exception);
    }

    /// <summary>Logs and counts a call Redis could not take; at Debug when the open circuit refused it (one per call during an outage).</summary>
    private bool Skipped(Exception exception, string operation, bool read)
    {
        _metrics.Error(_name, operation);
        var refused = exception is RedisCircuitOpenException;
        switch (read)
        {
            case true when refused:
                Log.CacheReadSkippedCircuitOpen(_logger, _name, operation);
                break;
            case true:
                Log.CacheReadFailed(_logger, _name, operation, exception);
                break;
            case false when refused:
                Log.CacheWriteSkippedCircuitOpen(_logger, _name, operation);
                break;
            default:
                Log.CacheWriteSkipped(_logger, _name, operation, exception);
                break;
        }

        return true;
    }

    /// <summary>Deletes what Redis may hold stale: the remembered keys, or, past the bound, every entry and tag version of the namespace.</summary>
    private async ValueTask RemoveMissedAsync(IDatabase database, MissedKeys<string> pending, CancellationToken cancellationToken)
    {
        if (pending.Overflowed)
        {
            await SweepAsync(database, "*", IsEntryOrTagKey, cancellationToken).ConfigureAwait(false);
            Log.MissedKeysCleared(_logger, _name);
            _redisMetrics.Recovered(_name, "clear");
            return;
        }

        foreach (var chunk in pending.Keys.Chunk(CleanupBatchSize))
        {
            await RedisKeySweep.UnlinkAsync(database, Array.ConvertAll(chunk, static k => (RedisKey)k), cancellationToken).ConfigureAwait(false);
        }

        Log.MissedKeysRemoved(_logger, _name, pending.Keys.Count);
        _redisMetrics.Recovered(_name, "keys");
    }

    /// <summary>An empty call: the clean-up runs first, through the breaker like any call.</summary>
    private async ValueTask ProbeAsync(CancellationToken cancellationToken) =>
        await RunAsync(0, static (_, _, _) => new ValueTask<int>(0), cancellationToken).ConfigureAwait(false);

    private void OnReconnected() => _catchUp.StartRecovery(TimeSpan.Zero);
}
