using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Stockpile.Internal;

namespace Stockpile;

public sealed partial class ChainedStore
{
    /// <inheritdoc/>
    /// <remarks>
    /// The read lives here, not in a method this calls: for reference types the JIT shares generic code and does not
    /// inline such a call, which cost a memory hit a third of its time. An observed read re-enters here through
    /// <c>ObservedGetAsync</c> (see <c>ChainedStore.Diagnostics.cs</c>).
    /// </remarks>
    protected override ValueTask<T?> GetByPrimaryKeyCoreAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class
    {
        if (_metrics.IsObserved && t_observing != this)
        {
            return ObservedGetAsync<T, TKey>(primaryKey, cancellationToken);
        }

        if (StockpileCaching.IsDisabled)
        {
            return ReadBottomAsync<T, TKey>(primaryKey, cancellationToken);
        }

        if (!_topIsProcessLocal)
        {
            // A shared top tier is read through the chain protocol, like the tiers below: its back-fill needs its lease.
            return ReadThroughAsync<T>(EntityKey.For<T>(primaryKey), 0, cancellationToken);
        }

        // A hit in a memory top tier costs one extra call and no allocation.
        if (_topMemory is { } memory && memory.TryGetByPrimaryKey<T, TKey>(primaryKey, out var found))
        {
            if (found is not null)
            {
                _metrics.Hit(_top.Name);
                return new ValueTask<T?>(found);
            }

            _metrics.Miss(_top.Name);
            return ReadThroughAsync<T>(EntityKey.For<T>(primaryKey), 1, cancellationToken);
        }

        // The exception frame lives in its own method, as for look-ups by EntityKey.
        return ReadTopAsync<T, TKey>(primaryKey, cancellationToken);
    }

    /// <summary>Reads a top tier that is process-local but not a memory store (or a key type the memory fast path does not take).</summary>
    private ValueTask<T?> ReadTopAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull
    {
        ValueTask<T?> top;
        try
        {
            top = _top.GetByPrimaryKeyUncheckedAsync<T, TKey>(primaryKey, cancellationToken);
        }
        catch (Exception ex) when (IsCache(0) && !_options.ThrowOnCacheReadFailure && ex is not StockpileKeyException and not OperationCanceledException)
        {
            ReadFailed(0, ex);
            return ReadThroughAsync<T>(EntityKey.For<T>(primaryKey), 1, cancellationToken);
        }

        if (!top.IsCompletedSuccessfully)
        {
            return AwaitTopAsync(top, primaryKey, cancellationToken);
        }

        if (top.Result is { } hit)
        {
            _metrics.Hit(_top.Name);
            return new ValueTask<T?>(hit);
        }

        _metrics.Miss(_top.Name);
        return ReadThroughAsync<T>(EntityKey.For<T>(primaryKey), 1, cancellationToken);
    }

    private async ValueTask<T?> AwaitTopAsync<T, TKey>(ValueTask<T?> top, TKey primaryKey, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull
    {
        T? value = null;
        try
        {
            value = await top.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCache(0) && !_options.ThrowOnCacheReadFailure && ex is not OperationCanceledException)
        {
            ReadFailed(0, ex);
        }

        if (value is not null)
        {
            _metrics.Hit(_top.Name);
            return value;
        }

        _metrics.Miss(_top.Name);
        return await ReadThroughAsync<T>(EntityKey.For<T>(primaryKey), 1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads by any key, unobserved (see <c>ChainedStore.Diagnostics.cs</c>); inlined there, so a hit costs one check more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ValueTask<object?> ReadAsync(EntityKey key, CancellationToken cancellationToken)
    {
        if (StockpileCaching.IsDisabled)
        {
            return ReadBottomAsync(key, cancellationToken);
        }

        if (!_topIsProcessLocal)
        {
            return ReadThroughAsync<object>(key, 0, cancellationToken);
        }

        // As by primary key: a hit in a memory top tier (which completes synchronously and fails only on a bad key)
        // takes no exception frame and allocates nothing.
        if (_topMemory is { } memory)
        {
            var read = memory.GetUntypedAsync(key, cancellationToken);
            if (read.IsCompletedSuccessfully)
            {
                var found = read.Result;
                if (found is not null && found.GetType() == key.EntityType.ClrType)
                {
                    _metrics.Hit(_top.Name);
                    return new ValueTask<object?>(found);
                }

                return Answer(found, key, cancellationToken);
            }
        }

        // The exception frame lives in its own method: in this one it costs the hit above a third of its time.
        return ReadTopAsync(key, cancellationToken);
    }

    /// <summary>Reads a process-local top tier other than a memory store; a failure reads as a miss (unless the options say to throw).</summary>
    private ValueTask<object?> ReadTopAsync(EntityKey key, CancellationToken cancellationToken)
    {
        ValueTask<object?> top;
        try
        {
            top = _top.GetUntypedAsync(key, cancellationToken);
        }
        catch (Exception ex) when (IsCache(0) && !_options.ThrowOnCacheReadFailure && ex is not StockpileKeyException and not OperationCanceledException)
        {
            ReadFailed(0, ex);
            return ReadThroughAsync<object>(key, 1, cancellationToken);
        }

        if (!top.IsCompletedSuccessfully)
        {
            return AwaitTopAsync(top, key, cancellationToken);
        }

        return Answer(top.Result, key, cancellationToken);
    }

    /// <summary>Answers with what the top tier found, or reads the tiers below it.</summary>
    private ValueTask<object?> Answer(object? found, EntityKey key, CancellationToken cancellationToken)
    {
        if (found is not null && IsOfType(found, key))
        {
            _metrics.Hit(_top.Name);
            return new ValueTask<object?>(found);
        }

        _metrics.Miss(_top.Name);
        return ReadThroughAsync<object>(key, 1, cancellationToken);
    }

    private async ValueTask<object?> AwaitTopAsync(ValueTask<object?> top, EntityKey key, CancellationToken cancellationToken)
    {
        object? value = null;
        try
        {
            value = await top.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCache(0) && !_options.ThrowOnCacheReadFailure && ex is not OperationCanceledException)
        {
            ReadFailed(0, ex);
        }

        if (value is not null && IsOfType(value, key))
        {
            _metrics.Hit(_top.Name);
            return value;
        }

        _metrics.Miss(_top.Name);
        return await ReadThroughAsync<object>(key, 1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether a tier's answer is of the type looked up; the exact type, the common case, costs no type walk.</summary>
    private static bool IsOfType(object value, EntityKey key)
    {
        var type = key.EntityType.ClrType;
        return value.GetType() == type || type.IsInstanceOfType(value);
    }

    private ValueTask<T?> ReadThroughAsync<T>(EntityKey key, int fromTier, CancellationToken cancellationToken)
        where T : class =>
        new(ReadCoalescedAsync<T>(key, fromTier, cancellationToken));

    /// <summary>
    /// Runs one look-up's read and settles its flight: reads the tiers from <paramref name="fromTier"/> down until one
    /// hits, and back-fills the tiers above it, each with the lease its own read returned. The starting caller gets the
    /// value, or the exception, directly.
    /// </summary>
    /// <remarks>
    /// One async method for the flight, the tiers and each tier's span and failure: a read served from Redis completes
    /// asynchronously, and every async method between it and the caller would be one more state machine allocated and
    /// resumed per read (the flight's, the tier loop's and the tier read's were three).
    /// </remarks>
    private async Task<T?> ReadOneAsync<T>(FlightGroup group, MissFlight flight, EntityKey key, int fromTier)
        where T : class
    {
        var cancellationToken = group.Token;
        object? found = null;
        try
        {
            var epoch = flight.Epoch;
            var captured = fromTier > 0 ? epoch.Capture() : -1;
            object?[]? leases = null; // made at the first lease: a read served from Redis below memory needs none
            for (var i = fromTier; i < _tiers.Length; i++)
            {
                if (i == 1 && fromTier == 0)
                {
                    // Captured before the first read below the top tier: a write that starts after this can be detected.
                    captured = epoch.Capture();
                }

                if (SkipsSharedTier(i, epoch, key))
                {
                    // This process is evicting the object (or, read by another key, its type) from this tier in the background: it may still hold the old state.
                    continue;
                }

                // A cache tier that fails counts as a miss with no lease, so its back-fill is not trusted.
                TierRead<object?> read;
                var activity = StockpileTracing.Start("get", _tiers[i], key.EntityType.ClrType);
                try
                {
                    read = await _tiers[i].ReadForChainAsync(key, cancellationToken).ConfigureAwait(false);
                    StockpileTracing.Answered(activity, read.Value is not null);
                }
                catch (Exception ex) when (StockpileTracing.Failed(activity, ex))
                {
                    throw;
                }
                catch (Exception ex) when (IsCache(i) && !_options.ThrowOnCacheReadFailure && ex is not OperationCanceledException)
                {
                    ReadFailed(i, ex);
                    read = default;
                }
                finally
                {
                    activity?.Dispose();
                }

                if (read.Value is { } value && key.EntityType.ClrType.IsInstanceOfType(value))
                {
                    _metrics.Hit(_tiers[i].Name);
                    if (i > 0)
                    {
                        await BackfillAsync([value], i, leases, [(epoch, captured)], cancellationToken).ConfigureAwait(false);
                    }

                    found = value;
                    break;
                }

                if (read.Lease is not null)
                {
                    (leases ??= new object?[_tiers.Length])[i] = read.Lease;
                }

                _metrics.Miss(_tiers[i].Name);
            }

            if (found is null && _logger.IsEnabled(LogLevel.Debug))
            {
                Log.Miss(_logger, key.Encode());
            }
        }
        catch (Exception ex)
        {
            Settle(key, flight, null, ex);
            group.Dispose();
            throw;
        }

        Settle(key, flight, found, null);
        group.Dispose();
        return found as T;
    }

    private void ReadFailed(int tier, Exception exception)
    {
        _metrics.Error(_tiers[tier].Name, "get");
        Log.TierReadFailed(_logger, _tiers[tier].Name, exception);
    }
}
