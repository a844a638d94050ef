using Stockpile.Internal.Caching;

namespace Stockpile;

public sealed partial class StockpileCache
{
    private readonly Dictionary<string, Flight> _flights = new(StringComparer.Ordinal);
    private readonly Lock _flightsLock = new();
    private readonly bool _writeMadeValuesInBackground;

    /// <inheritdoc/>
    ValueTask<T> IStockpileCache.GetOrCreateCoreAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options, CancellationToken cancellationToken) =>
        GetOrCreateAsync(key, state, factory, options, cancellationToken);

    /// <summary>
    /// Gets a value, or makes and stores it on a miss. Concurrent misses of one key in this process run the factory
    /// once and share its result; a caller that cancels stops waiting without cancelling the others (the factory is
    /// cancelled only when every caller has gone); a factory exception reaches every waiter and nothing is stored.
    /// </summary>
    /// <typeparam name="TState">The state passed to the factory, so it can be a static lambda.</typeparam>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="state">The factory's state.</param>
    /// <param name="factory">Makes the value on a miss.</param>
    /// <param name="options">Expiration and tags of a made value; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value.</returns>
    /// <remarks>The same get-or-create as <see cref="StockpileCacheExtensions.GetOrCreateAsync{TState, T}"/> through the interface; on the sealed class the hit path is this method itself.</remarks>
    public ValueTask<T> GetOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (StockpileCaching.IsDisabled)
        {
            // A disabled flow reads nothing and stores nothing: the factory answers, outside any flight.
            CheckKey(key);
            return factory(state, cancellationToken);
        }

        if (_memory is { } memory)
        {
            // The hit path: the process memory read synchronously, the value handed out without a detour through the
            // tier's ValueTask, the answer's generic plumbing or the serializer's try/catch.
            var near = memory.Get(CheckKey(key));
            if (near?.Plain is T plain)
            {
                return new ValueTask<T>(plain);
            }

            if (near is { Tags: null, Bytes: null, Instance: T stored })
            {
                return new ValueTask<T>(Handed(near, stored));
            }

            // A miss in memory joins the key's flight (or starts it) at once; over a shared tier the flight reads that tier
            // once for all its callers, instead of one read per caller before joining.
            return near is null
                ? FlyAsync(key, state, factory, options, cancellationToken)
                : Answer(key, new ValueTask<CacheEntry?>(near), state, factory, options, cancellationToken);
        }

        return Answer(key, _tier.GetAsync(CheckKey(key), cancellationToken), state, factory, options, cancellationToken);
    }

    /// <summary>A read answered by a tier without a memory level, or a memory entry the hit path leaves (tagged, serialized): no async machinery when the tier answers at once with an untagged value.</summary>
    private ValueTask<T> Answer<TState, T>(string key, ValueTask<CacheEntry?> read, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options, CancellationToken cancellationToken)
    {
        if (!read.IsCompletedSuccessfully)
        {
            return GetOrCreateSlowAsync(key, null, read.AsTask(), state, factory, options, cancellationToken);
        }

        var entry = read.Result;
        return entry is { Tags: null } && TryMaterialize<T>(key, entry, out var value)
            ? new ValueTask<T>(value!)
            : GetOrCreateSlowAsync(key, entry is { Tags: null } ? null : entry, null, state, factory, options, cancellationToken);
    }

    private async ValueTask<T> GetOrCreateSlowAsync<TState, T>(string key, CacheEntry? read, Task<CacheEntry?>? pending, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options, CancellationToken cancellationToken)
    {
        if (await LiveAsync(pending is null ? read : await pending.ConfigureAwait(false), cancellationToken).ConfigureAwait(false) is { } hit
            && TryMaterialize<T>(key, hit, out var value))
        {
            return value!;
        }

        return await FlyAsync(key, state, factory, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Joins the key's flight, or starts one (its owner reads the tier again, then runs the factory), and waits for its value.</summary>
    private async ValueTask<T> FlyAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options, CancellationToken cancellationToken)
    {
        Flight flight;
        bool owner;
        lock (_flightsLock)
        {
            owner = !_flights.TryGetValue(key, out flight!) || !flight.Group.IsJoinable;
            if (owner)
            {
                flight = new Flight(new FlightGroup());
                _flights[key] = flight;
            }

            flight.Group.Join();
        }

        if (owner)
        {
            // The maker awaits the making itself, so it goes on where the factory and the store finished; the flight
            // completes its joined waiters on the thread pool, a hop that costs a miss more than a Redis round trip on a
            // busy machine. The making never throws (it fails the flight); a maker that cancels leaves like a waiter.
            await LeaveOnCancelAsync(flight, MakeAsync(key, flight, state, factory, options), cancellationToken).ConfigureAwait(false);
        }

        var (_, made) = await WaitAsync(flight, leaveOnCancel: true, cancellationToken).ConfigureAwait(false);
        return Received<T>(key, made);
    }

    /// <summary>Runs the factory of a single-key flight on the flight's own token; stores the value before the flight ends, so a later caller finds it.</summary>
    private async Task MakeAsync<TState, T>(string key, Flight flight, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options)
    {
        try
        {
            var token = flight.Group.Cancellation.Token;

            // Read again before making: a caller whose miss was read before another flight stored the key may arrive
            // here after that flight ended, and must take the stored value instead of running the factory twice. On a
            // tier with a memory level, callers joined after missing memory alone: this is the flight's one shared read.
            // A value made for the background write is fenced by the mark of this read (another instance's write of
            // the key after it wins); under the stampede lock the write is awaited, as any set.
            var background = _writeMadeValuesInBackground && _stampedeLock is null;
            var read = background
                ? await _tier.ReadForMakeAsync(key, token).ConfigureAwait(false)
                : new CacheRead(await _tier.GetAsync(key, token).ConfigureAwait(false), null);
            if (Readable<T>(key, await LiveAsync(read.Entry, token).ConfigureAwait(false)) is { } stored)
            {
                End(key, flight);
                flight.Completion.TrySetResult((true, stored));
                return;
            }

            var made = _stampedeLock is { } locks
                ? await MakeUnderLockAsync(key, locks, state, factory, options, token).ConfigureAwait(false)
                : await MakeAndStoreAsync(key, state, factory, options, token, inBackground: background, mark: read.Mark).ConfigureAwait(false);
            End(key, flight);
            flight.Completion.TrySetResult((true, made));
        }
        catch (Exception ex)
        {
            Fail(key, flight, ex);
        }
    }

    /// <summary>
    /// Runs the factory and stores its value; returns what the flight hands its waiters (see <see cref="ForWaiters"/>).
    /// <paramref name="inBackground"/>: the value may reach a shared level after this returns (the flight's process
    /// memory has it at once), fenced by the <paramref name="mark"/> of the flight's read; not under the stampede lock,
    /// whose waiters in other processes look for it there.
    /// </summary>
    private async ValueTask<object?> MakeAndStoreAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options, CancellationToken cancellationToken, bool inBackground = false, object? mark = null)
    {
        // The tags' versions are read before the factory reads the data: a tag removed while it runs makes its value unreachable.
        var stamps = await StampsAsync(options?.Tags, cancellationToken).ConfigureAwait(false);
        var value = await factory(state, cancellationToken).ConfigureAwait(false);
        return ForWaiters(value, await StoreStampedAsync(key, value, ExpiryOf(options), stamps, cancellationToken, made: inBackground, mark).ConfigureAwait(false));
    }

    /// <summary>Ends a flight whose factory (or store) failed: nothing was stored, every waiter gets the exception, and the next call runs the factory again.</summary>
    private void Fail(string key, Flight flight, Exception exception)
    {
        End(key, flight);
        if (exception is OperationCanceledException && flight.Group.Cancellation.IsCancellationRequested)
        {
            flight.Completion.TrySetCanceled(flight.Group.Cancellation.Token);
        }
        else
        {
            flight.Completion.TrySetException(exception);
        }
    }

    /// <summary>Waits for a flight; a caller that cancels leaves it, and the last to leave cancels its factory.</summary>
    private async ValueTask<(bool Made, object? Value)> WaitAsync(Flight flight, bool leaveOnCancel, CancellationToken cancellationToken)
    {
        try
        {
            return await flight.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (leaveOnCancel && cancellationToken.IsCancellationRequested && !flight.Completion.Task.IsCompleted)
        {
            Leave(flight);
            throw;
        }
    }

    /// <summary>Awaits a flight's making; a caller that cancels first leaves the flight (the last to leave cancels its factory).</summary>
    private async ValueTask LeaveOnCancelAsync(Flight flight, Task making, CancellationToken cancellationToken)
    {
        try
        {
            await making.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !flight.Completion.Task.IsCompleted)
        {
            Leave(flight);
            throw;
        }
    }

    private void Leave(Flight flight)
    {
        lock (_flightsLock)
        {
            flight.Group.Leave();
        }
    }

    /// <summary>How many callers wait on the flight making <paramref name="key"/>; 0 when none is under way (for tests that must know a caller joined).</summary>
    internal int WaitersOf(string key)
    {
        lock (_flightsLock)
        {
            return _flights.TryGetValue(key, out var flight) ? flight.Group.Waiters : 0;
        }
    }

    private void End(string key, Flight flight)
    {
        lock (_flightsLock)
        {
            if (_flights.TryGetValue(key, out var current) && ReferenceEquals(current, flight))
            {
                _flights.Remove(key);
            }
        }
    }
}
