using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>
/// What Redis may hold stale because a write or an eviction did not reach it, and its removal: for the store and for
/// each cache on Redis. The keys are kept in a <see cref="MissedKeySet{T}"/> (bounded: past it, "everything" is kept);
/// <see cref="RunAsync"/>, called inside the breaker before every call, removes them (one caller at a time: the others
/// wait for it, and a failed removal fails them all, so Redis is not read while it may hold a stale value); and a
/// background recovery runs it as soon as Redis can be reached (after a reconnect, or once the break is over), not
/// only on this instance's next call: other instances read the same Redis.
/// </summary>
internal sealed class RedisCatchUp : IDisposable
{
    private static readonly TimeSpan s_minimumRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly RedisCircuit _breaker;
    private readonly TimeProvider _time;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly Func<IDatabase, MissedKeys<string>, CancellationToken, ValueTask> _remove;
    private readonly Func<CancellationToken, ValueTask> _probe;
    private int _recovering;

    /// <param name="capacity">How many keys are remembered before "everything" is.</param>
    /// <param name="breaker">The breaker the calls go through (its break sets the retry delay).</param>
    /// <param name="time">The clock of the retry delays.</param>
    /// <param name="name">The store or cache, for logs.</param>
    /// <param name="logger">Where a failed removal is logged.</param>
    /// <param name="remove">Removes what was missed from Redis (the keys, or everything when overflowed), and logs it.</param>
    /// <param name="probe">An empty call through the breaker (this clean-up runs first, inside it).</param>
    public RedisCatchUp(int capacity, RedisCircuit breaker, TimeProvider time, string name, ILogger logger, Func<IDatabase, MissedKeys<string>, CancellationToken, ValueTask> remove, Func<CancellationToken, ValueTask> probe)
    {
        Keys = new MissedKeySet<string>(capacity, StringComparer.Ordinal);
        _breaker = breaker;
        _time = time;
        _name = name;
        _logger = logger;
        _remove = remove;
        _probe = probe;
    }

    /// <summary>Gets the keys waiting to be removed.</summary>
    public MissedKeySet<string> Keys { get; }

    /// <summary>Gets a value indicating whether anything waits to be removed; cheap, for every call's fast path.</summary>
    public bool IsPending => Keys.IsPending;

    /// <summary>Records keys to remove and starts the recovery after the break; logs when this made the set overflow.</summary>
    public void Add(IReadOnlyList<string> keys)
    {
        if (Keys.Add(keys))
        {
            Log.MissedKeysOverflowed(_logger, _name, Keys.Capacity);
        }

        StartRecovery(_breaker.BreakDuration);
    }

    /// <summary>Records that everything must be removed (a missed clear), and starts the recovery after the break.</summary>
    public void AddEverything()
    {
        Keys.MarkOverflow();
        Log.MissedKeysOverflowed(_logger, _name, Keys.Capacity);
        StartRecovery(_breaker.BreakDuration);
    }

    /// <summary>Removes what is pending, if anything (call it inside the breaker, before the call).</summary>
    /// <exception cref="Exception">The removal failed (logged): the call must not go on.</exception>
    public async ValueTask RunAsync(IDatabase database, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Keys.IsPending)
            {
                return;
            }

            var pending = Keys.Take();
            try
            {
                await _remove(database, pending, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.MissedKeysCleanupFailed(_logger, _name, ex);
                throw;
            }

            Keys.Complete(pending);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts the background clean-up unless one runs: at once after a reconnect, after the break after a failure.</summary>
    public void StartRecovery(TimeSpan firstDelay)
    {
        if (!Keys.IsPending || _stopping.IsCancellationRequested || Interlocked.CompareExchange(ref _recovering, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(() => RecoverAsync(firstDelay));
    }

    /// <summary>Stops the background clean-up (the owner is disposed).</summary>
    public void Dispose() => _stopping.Cancel();

    private async Task RecoverAsync(TimeSpan delay)
    {
        var stopping = _stopping.Token;
        try
        {
            while (Keys.IsPending)
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                try
                {
                    await _probe(stopping).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Logged by the clean-up or the breaker; try again after the break.
                }

                delay = _breaker.RetryAfter > s_minimumRetryDelay ? _breaker.RetryAfter : s_minimumRetryDelay;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            Volatile.Write(ref _recovering, 0);
        }

        // Keys missed after the last check above would otherwise wait for the next trigger.
        StartRecovery(s_minimumRetryDelay);
    }
}
