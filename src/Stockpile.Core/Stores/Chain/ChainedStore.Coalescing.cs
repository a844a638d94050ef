using System.Collections.Concurrent;
using Stockpile.Internal;

namespace Stockpile;

/// <content>
/// Miss coalescing: concurrent misses of one key in this process read the lower tiers once and share the result. A
/// key is coalesced with the same look-up (type, key and value: <see cref="EntityKey"/>'s equality, so a read encodes
/// no string to find its flight): a miss by <c>Sku</c> cannot know the <c>Id</c> it will resolve to before it has
/// read, so it does not join a read by <c>Id</c>. The read runs with a token of its own,
/// cancelled only when every waiter has cancelled; an exception reaches every waiter, and the next call reads again
/// (a read that ended is never joined). A write of the type that begins while a read is under way stops new callers
/// from joining it (see <see cref="MissFlight"/>); the read's own back-fill stays guarded as every back-fill is.
/// </content>
public sealed partial class ChainedStore
{
    private readonly ConcurrentDictionary<EntityKey, MissFlight> _flights = new();

    /// <summary>Reads one look-up from <paramref name="fromTier"/> down, joining a read of it under way if it can.</summary>
    /// <remarks>
    /// The caller that starts the read awaits the read itself, so it goes on where the read completed; the flight
    /// completes its waiters on the thread pool (for the joined callers' sake), a hop that costs a read served from
    /// Redis more than Redis on a busy machine. A caller that cannot cancel gets the read's own task, typed, with no
    /// frame of this method's or a cast's around it.
    /// </remarks>
    private Task<T?> ReadCoalescedAsync<T>(EntityKey key, int fromTier, CancellationToken cancellationToken)
        where T : class
    {
        var (flight, group) = JoinOrStart(key, cancellable: cancellationToken.CanBeCanceled);
        var read = group is null ? JoinedAsync<T>(flight) : ReadOneAsync<T>(group, flight, key, fromTier);
        return cancellationToken.CanBeCanceled ? WaitOrLeaveAsync(read, flight.Group, cancellationToken) : read;
    }

    /// <summary>Waits for a read this caller joined.</summary>
    private static async Task<T?> JoinedAsync<T>(MissFlight flight)
        where T : class =>
        await flight.WaitAsync(CancellationToken.None).ConfigureAwait(false) as T;

    /// <summary>Waits for a read; a caller that cancels leaves its group (the last to leave cancels the read).</summary>
    private static async Task<T?> WaitOrLeaveAsync<T>(Task<T?> read, FlightGroup group, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await read.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            group.Leave();

            // Nobody may wait for the read any more: its failure, if it fails, must not go unobserved.
            _ = read.ContinueWith(static r => _ = r.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>Reads many look-ups from <paramref name="fromTier"/> down: joins the reads under way, and reads the rest in one batch.</summary>
    private async Task<object?[]> ReadManyCoalescedAsync(IReadOnlyList<EntityKey> keys, int fromTier, CancellationToken cancellationToken)
    {
        var flights = new MissFlight[keys.Count];
        var byId = new Dictionary<EntityKey, MissFlight>();
        var started = new List<(EntityKey Id, MissFlight Flight)>();
        var startedKeys = new List<EntityKey>();
        var entered = new List<FlightGroup>();
        FlightGroup? mine = null;
        for (var i = 0; i < keys.Count; i++)
        {
            var id = keys[i];
            if (byId.TryGetValue(id, out var known))
            {
                flights[i] = known;
                continue;
            }

            var (flight, group) = JoinOrStart(id, mine);
            if (group is not null)
            {
                mine = group;
                started.Add((id, flight));
                startedKeys.Add(keys[i]);
            }
            else if (flight.Group != mine)
            {
                entered.Add(flight.Group);
            }

            flights[i] = byId[id] = flight;
        }

        Task? run = null;
        if (mine is not null)
        {
            entered.Add(mine);
            run = RunAsync(mine, started, ct => ReadManyTiersAsync(startedKeys, fromTier, ct));
        }

        var results = new object?[keys.Count];
        try
        {
            if (run is not null)
            {
                // As for one key: this caller's own reads are awaited directly (no thread-pool hop); only the reads it
                // joined are waited for through their flights.
                await run.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < results.Length; i++)
            {
                results[i] = await flights[i].WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            foreach (var group in entered)
            {
                group.Leave();
            }

            throw;
        }

        return results;
    }

    /// <summary>
    /// Joins the read of <paramref name="key"/> under way, or registers a new one in <paramref name="group"/> (a new
    /// group when null, <paramref name="cancellable"/> when its caller may cancel); returns the group when the caller
    /// must start the read.
    /// </summary>
    private (MissFlight Flight, FlightGroup? Started) JoinOrStart(EntityKey key, FlightGroup? group = null, bool cancellable = true)
    {
        while (true)
        {
            var existing = _flights.GetValueOrDefault(key);
            if (existing is not null && existing.TryJoin())
            {
                return (existing, null);
            }

            var starting = group ?? new FlightGroup(cancellable);
            if (group is null && !starting.TryEnter())
            {
                throw new InvalidOperationException("A new flight group refused its first waiter.");
            }

            var flight = new MissFlight(starting, EpochOf(key.EntityType));
            if (existing is null ? _flights.TryAdd(key, flight) : _flights.TryUpdate(key, flight, existing))
            {
                return (flight, starting);
            }

            if (group is null)
            {
                starting.Dispose();
            }
        }
    }

    /// <summary>Runs a group's read and hands each flight its result; the flights leave the registry before they complete, so an ended read is never joined.</summary>
    private async Task RunAsync(FlightGroup group, List<(EntityKey Id, MissFlight Flight)> flights, Func<CancellationToken, Task<object?[]>> read)
    {
        object?[]? values = null;
        Exception? failure = null;
        try
        {
            values = await read(group.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        for (var i = 0; i < flights.Count; i++)
        {
            var (id, flight) = flights[i];
            Settle(id, flight, failure is null ? values![i] : null, failure);
        }

        group.Dispose();
    }

    /// <summary>Takes a flight out of the registry, then hands it its result: an ended read is never joined.</summary>
    private void Settle(EntityKey id, MissFlight flight, object? value, Exception? failure)
    {
        _flights.TryRemove(new KeyValuePair<EntityKey, MissFlight>(id, flight));
        if (failure is null)
        {
            flight.Complete(value);
        }
        else
        {
            flight.Fail(failure);
        }
    }
}
