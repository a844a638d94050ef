using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// Every call to Redis goes through the circuit breaker, and first removes the keys whose writes Redis missed: Redis
/// is never read while it may hold a value older than the source of truth.
/// </content>
public sealed partial class RedisStore
{
    private const int CleanupBatchSize = 500;

    // 0 until the clear fence is known to exist on the server (see RedisScripts.StartClearFence); 0 again after a reconnect.
    private int _clearFenceStarted;

    /// <summary>Stamps puts with the server time they are sent at (a lower bound), from the server times the scripts return.</summary>
    private readonly RedisWriteClock _writeClock;

    /// <summary>Runs a call through the breaker, after the link's <see cref="RedisLink.BeforeCall"/> (<see cref="BeforeCallAsync"/>).</summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    private ValueTask<T> RunAsync<TState, T>(TState state, Func<IDatabase, TState, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken) =>
        IsDisposed ? ValueTask.FromException<T>(DisposedException()) : _link.ExecuteAsync(state, call, cancellationToken);

    /// <summary>Whether <see cref="BeforeCallAsync"/> has work to do before the next call (<see cref="RedisLink.BeforeCallPending"/>).</summary>
    private bool HasWorkBeforeCall() => Volatile.Read(ref _clearFenceStarted) == 0 || _catchUp.IsPending;

    /// <summary>
    /// Runs before every call through the link, the backplane's included: the clear fence is made sure of (after a
    /// start or a reconnect), and the keys whose writes Redis missed are removed, so a publish that makes other
    /// instances re-read Redis never overtakes the removal of what Redis may hold stale.
    /// </summary>
    private async ValueTask BeforeCallAsync(IDatabase database, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _clearFenceStarted) == 0)
        {
            _writeClock.Observe((string?)await RedisScripts.StartClearFence.EvaluateAsync(database, [ClearFenceKey], [], cancellationToken).ConfigureAwait(false));
            Volatile.Write(ref _clearFenceStarted, 1);
        }

        if (_catchUp.IsPending)
        {
            await _catchUp.RunAsync(database, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a write. If it fails in any way its keys are recorded as missed (it may or may not have landed); if it
    /// failed because Redis is unavailable, it is skipped unless the options say to throw.
    /// </summary>
    private async ValueTask<T> WriteGuardedAsync<TState, T>(IReadOnlyList<string> affected, TState state, Func<IDatabase, TState, CancellationToken, ValueTask<T>> call, T skipped, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(state, call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (!SkipsFailedWrite(affected, ex))
            {
                throw;
            }

            return skipped;
        }
    }

    /// <summary>
    /// Runs a write whose keys cannot be listed (a clear, a removal by tag). If it fails in any way, everything under
    /// the prefix is recorded to be removed (it may or may not have landed); if it failed because Redis is unavailable,
    /// it is skipped (<paramref name="skipped"/> is returned) unless the options say to throw.
    /// </summary>
    /// <param name="what">What the write does, for the message of an error Redis answers ("clear the Product objects").</param>
    /// <param name="state">The call's state.</param>
    /// <param name="call">The write.</param>
    /// <param name="skipped">What a skipped write returns.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="InvalidOperationException">Redis answered an error: not an outage; the message says what was written and Redis's reason.</exception>
    private async ValueTask<T> ClearGuardedAsync<TState, T>(string what, TState state, Func<IDatabase, TState, CancellationToken, ValueTask<T>> call, T skipped, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(state, call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDisposed)
        {
            throw ex as ObjectDisposedException ?? DisposedException();
        }
        catch (Exception ex)
        {
            RecordMissedClear();
            if (ex is RedisServerException && !RedisLink.IsUnavailable(ex))
            {
                throw new InvalidOperationException(Redis.ExceptionMessages.ClearRefused(Name, what, ex.Message), ex);
            }

            if (!RedisLink.IsUnavailable(ex) || _throwOnUnavailableWrites)
            {
                throw;
            }

            return skipped;
        }
    }

    /// <summary>
    /// Decides about a write that failed (call it from the catch block, not a filter: it may throw): records its keys
    /// as missed (it may or may not have landed), logs it and returns <see langword="true"/> to skip it when Redis was
    /// unavailable, unless the options say to throw; <see langword="false"/> lets the exception through.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The store was disposed before or during the write: a closed connection is not an outage to ride out.</exception>
    /// <exception cref="InvalidOperationException">Redis answered an error (<c>OOM</c>, <c>WRONGTYPE</c>, a script error, <c>NOPERM</c>): not an outage; the message names the store, the types of <paramref name="items"/> when given, the keys and Redis's reason.</exception>
    private bool SkipsFailedWrite(IReadOnlyList<string> affected, Exception exception, IReadOnlyList<object>? items = null)
    {
        if (IsDisposed)
        {
            throw exception as ObjectDisposedException ?? DisposedException();
        }

        RecordMissed(affected);
        if (exception is RedisServerException && !RedisLink.IsUnavailable(exception))
        {
            var types = items is null ? null : string.Join(", ", items.Select(static i => i.GetType().Name).Distinct());
            throw new InvalidOperationException(Redis.ExceptionMessages.WriteRefused(Name, types, affected, exception.Message), exception);
        }

        if (!RedisLink.IsUnavailable(exception) || _throwOnUnavailableWrites)
        {
            return false;
        }

        if (exception is RedisCircuitOpenException)
        {
            Redis.Log.WriteSkippedCircuitOpen(Logger, Name, affected.Count);
        }
        else
        {
            Redis.Log.WriteSkipped(Logger, Name, affected.Count, exception);
        }

        return true;
    }

    private ObjectDisposedException DisposedException() => new(GetType().FullName, Redis.ExceptionMessages.Disposed);

    private void RecordMissed(IReadOnlyList<string> keys)
    {
        _metrics.Missed(Name, keys.Count);
        _catchUp.Add(keys);
    }

    private void RecordMissedClear()
    {
        _metrics.Missed(Name, 1);
        _catchUp.AddEverything();
    }

    /// <summary>
    /// Removes from Redis what it may hold stale (<see cref="RedisCatchUp.RunAsync"/> calls it, one caller at a time):
    /// the objects whose writes failed, or everything under the prefix if more were missed than remembered.
    /// </summary>
    private async ValueTask RemoveMissedAsync(IDatabase database, MissedKeys<string> pending, CancellationToken cancellationToken)
    {
        if (pending.Overflowed)
        {
            await RemoveKeysUnderPrefixAsync(database, null, cancellationToken).ConfigureAwait(false);
            Redis.Log.MissedKeysCleared(Logger, Name);
            _metrics.Recovered(Name, "clear");
            return;
        }

        foreach (var chunk in pending.Keys.Chunk(CleanupBatchSize))
        {
            await DeleteAsync(database, chunk, chunk.Length, cancellationToken).ConfigureAwait(false);
        }

        Redis.Log.MissedKeysRemoved(Logger, Name, pending.Keys.Count);
        _metrics.Recovered(Name, "keys");
    }
}
