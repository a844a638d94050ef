using Stockpile.Internal.Caching;

namespace Stockpile;

public sealed partial class StockpileCache
{
    /// <inheritdoc/>
    public async ValueTask<IReadOnlyDictionary<string, T>> GetOrCreateManyAsync<T>(IEnumerable<string> keys, Func<IReadOnlyList<string>, CancellationToken, ValueTask<IReadOnlyDictionary<string, T>>> factory, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(factory);
        var distinct = keys.Distinct(StringComparer.Ordinal).ToArray();
        Array.ForEach(distinct, k => CheckKey(k));
        var results = new Dictionary<string, T>(distinct.Length, StringComparer.Ordinal);
        if (StockpileCaching.IsDisabled)
        {
            // A disabled flow reads nothing and stores nothing: one factory call for every key.
            var made = await factory(distinct, cancellationToken).ConfigureAwait(false);
            foreach (var key in distinct)
            {
                if (made.TryGetValue(key, out var value))
                {
                    results[key] = value;
                }
            }

            return results;
        }

        // Hits first, in one read of the tier.
        var entries = await _tier.GetManyAsync(distinct, cancellationToken).ConfigureAwait(false);
        var missing = new List<int>();
        for (var i = 0; i < distinct.Length; i++)
        {
            if (await LiveAsync(entries[i], cancellationToken).ConfigureAwait(false) is { } entry && TryMaterialize<T>(distinct[i], entry, out var value))
            {
                results[distinct[i]] = value!;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count == 0)
        {
            return results;
        }

        // Misses: join the flights already making a key; make the rest with one factory call.
        var waits = new (int Index, Flight Flight)[missing.Count];
        var owned = new List<(int Index, Flight Flight)>();
        var group = new FlightGroup();
        lock (_flightsLock)
        {
            for (var m = 0; m < missing.Count; m++)
            {
                var i = missing[m];
                if (!_flights.TryGetValue(distinct[i], out var flight) || !flight.Group.IsJoinable)
                {
                    flight = new Flight(group);
                    _flights[distinct[i]] = flight;
                    owned.Add((i, flight));
                }

                flight.Group.Join();
                waits[m] = (i, flight);
            }
        }

        if (owned.Count > 0)
        {
            _ = MakeManyAsync(distinct, owned, group, factory, options);
        }

        try
        {
            foreach (var (i, flight) in waits)
            {
                var (made, value) = await WaitAsync(flight, leaveOnCancel: false, cancellationToken).ConfigureAwait(false);
                if (made)
                {
                    results[distinct[i]] = Received<T>(distinct[i], value);
                }
            }
        }
        finally
        {
            // A caller that stops early leaves the flights it did not get to, so their factory can be cancelled.
            if (cancellationToken.IsCancellationRequested)
            {
                LeaveUnfinished(waits);
            }
        }

        return results;
    }

    private async Task MakeManyAsync<T>(string[] keys, List<(int Index, Flight Flight)> owned, FlightGroup group, Func<IReadOnlyList<string>, CancellationToken, ValueTask<IReadOnlyDictionary<string, T>>> factory, StockpileCacheEntryOptions? options)
    {
        try
        {
            await Task.Yield();
            var token = group.Cancellation.Token;

            // Read again before making (see MakeAsync): keys another flight stored since this caller's read are not made
            // twice. Every flight of this process stores into the memory level too, so a tier with one reads only it.
            var stored = await (_tier.Local ?? _tier).GetManyAsync(owned.ConvertAll(o => keys[o.Index]), token).ConfigureAwait(false);
            var toMake = new List<(int Index, Flight Flight)>(owned.Count);
            for (var o = 0; o < owned.Count; o++)
            {
                var (i, flight) = owned[o];
                if (Readable<T>(keys[i], await LiveAsync(stored[o], token).ConfigureAwait(false)) is { } entry)
                {
                    End(keys[i], flight);
                    flight.Completion.TrySetResult((true, entry));
                }
                else
                {
                    toMake.Add(owned[o]);
                }
            }

            owned = toMake;
            if (owned.Count == 0)
            {
                return;
            }

            // The tags' versions are read before the factory reads the data: a tag removed while it runs makes its values unreachable.
            var stamps = await StampsAsync(options?.Tags, token).ConfigureAwait(false);
            var made = await factory(owned.ConvertAll(o => keys[o.Index]), token).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The GetOrCreateManyAsync factory returned null; return an empty dictionary when nothing is found.");
            var ownedKeys = owned.ConvertAll(o => keys[o.Index]);
            CacheEntry?[] entries;
            try
            {
                entries = await StoreManyAsync(ownedKeys, made, options, stamps, token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The batch was not (fully) stored: every waiter gets the failure, and the next call makes its keys again.
                foreach (var (i, flight) in owned)
                {
                    Fail(keys[i], flight, ex);
                }

                return;
            }

            for (var o = 0; o < owned.Count; o++)
            {
                var (i, flight) = owned[o];
                End(keys[i], flight);
                flight.Completion.TrySetResult(made.TryGetValue(keys[i], out var value) ? (true, ForWaiters(value, entries[o])) : (false, null));
            }
        }
        catch (Exception ex)
        {
            foreach (var (i, flight) in owned)
            {
                Fail(keys[i], flight, ex);
            }
        }
    }

    /// <summary>
    /// Stores a batch's made values with one tier call (on Redis: the sets pipelined, and one backplane message for the
    /// batch); gives the entry stored per key, <see langword="null"/> where nothing was made or stored (a disabled flow,
    /// an expiry in the past). Every entry carries <paramref name="stamps"/>: the tags' versions read before the values were made.
    /// </summary>
    private async ValueTask<CacheEntry?[]> StoreManyAsync<T>(List<string> keys, IReadOnlyDictionary<string, T> made, StockpileCacheEntryOptions? options, TagStamp[]? stamps, CancellationToken cancellationToken)
    {
        var stored = new CacheEntry?[keys.Count];
        var expiresAt = ExpiryOf(options);
        if (StockpileCaching.IsDisabled || (expiresAt is { } at && at <= _time.GetUtcNow()))
        {
            for (var i = 0; i < stored.Length; i++)
            {
                if (made.TryGetValue(keys[i], out var value))
                {
                    stored[i] = await StoreStampedAsync(keys[i], value, expiresAt, stamps, cancellationToken).ConfigureAwait(false);
                }
            }

            return stored;
        }

        var batch = new List<KeyValuePair<string, CacheEntry>>(keys.Count);
        for (var i = 0; i < stored.Length; i++)
        {
            if (made.TryGetValue(keys[i], out var value))
            {
                stored[i] = EntryOf(value, expiresAt, stamps);
                batch.Add(new(keys[i], stored[i]!));
            }
        }

        if (batch.Count > 0)
        {
            await _tier.SetManyAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    private void LeaveUnfinished((int Index, Flight Flight)[] waits)
    {
        lock (_flightsLock)
        {
            foreach (var (_, flight) in waits)
            {
                if (!flight.Completion.Task.IsCompleted)
                {
                    flight.Group.Leave();
                }
            }
        }
    }
}
