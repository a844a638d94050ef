using System.Diagnostics;
using Stockpile.Internal.Caching;

namespace Stockpile;

/// <content>
/// The optional stampede lock across processes (<see cref="StockpileCacheOptions.DistributedStampedeLock"/>): the
/// flight of one process makes the value under a lock on the shared tier; the flights of the others wait for it.
/// </content>
public sealed partial class StockpileCache
{
    private static readonly TimeSpan s_firstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan s_longestPoll = TimeSpan.FromMilliseconds(100);

    private readonly ICacheLocks? _stampedeLock;
    private readonly TimeSpan _stampedeLockExpiration;
    private readonly TimeSpan _stampedeLockTimeout;
    private int _stampedeLockWaits;

    /// <summary>Gets how many flights of this cache found another process holding the lock and waited (for tests that must know every process is waiting).</summary>
    internal int StampedeLockWaits => Volatile.Read(ref _stampedeLockWaits);

    /// <summary>
    /// Makes the value under the key's lock, or takes the value the lock's holder stored; returns what the flight hands
    /// its waiters (see <see cref="ForWaiters"/>). The lock is tried again at
    /// each poll, so a holder that failed (it released the lock) or died (the lock expired) hands over to a waiter; past
    /// the timeout the factory runs without the lock.
    /// </summary>
    private async ValueTask<object?> MakeUnderLockAsync<TState, T>(string key, ICacheLocks locks, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var started = Stopwatch.GetTimestamp();
        var poll = s_firstPoll;
        var waiting = false;
        while (!await locks.TryAcquireAsync(key, token, _stampedeLockExpiration, cancellationToken).ConfigureAwait(false))
        {
            if (!waiting)
            {
                waiting = true;
                Interlocked.Increment(ref _stampedeLockWaits);
            }

            var left = _stampedeLockTimeout - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                // The holder is alive but slow: waiting is bounded, so make the value here too.
                return await MakeAndStoreAsync(key, state, factory, options, cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(poll < left ? poll : left, cancellationToken).ConfigureAwait(false);
            poll = poll * 2 < s_longestPoll ? poll * 2 : s_longestPoll;
            if (await StoredAsync<T>(key, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return stored;
            }
        }

        try
        {
            // Another process may have stored the value and released the lock between this flight's read and now.
            return await StoredAsync<T>(key, cancellationToken).ConfigureAwait(false) is { } stored
                ? stored
                : await MakeAndStoreAsync(key, state, factory, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseAsync(locks, key, token).ConfigureAwait(false);
        }
    }

    /// <summary>The entry another process stored, if it is live and readable as a <typeparamref name="T"/>.</summary>
    private async ValueTask<CacheEntry?> StoredAsync<T>(string key, CancellationToken cancellationToken) =>
        Readable<T>(key, await LiveAsync(await _tier.GetAsync(key, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false));

    private static async ValueTask ReleaseAsync(ICacheLocks locks, string key, string token)
    {
        try
        {
            await locks.ReleaseAsync(key, token, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A lock that cannot be released expires by itself; the caller's value or exception matters more.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
