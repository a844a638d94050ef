using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// Leases close the race between instances that a chain's in-process guard cannot see: instance B misses Redis, reads
/// the database, then A commits and evicts Redis, then B's back-fill lands with what B read before the commit. A read
/// for a chain returns, as its lease, the server time before it read; the chain hands it back to the back-fill that
/// follows. Every put and delete fences each key it touches with the server time (for
/// <see cref="RedisScripts.FenceMilliseconds"/>), and a delete fences its look-up key even when it finds nothing there.
/// A back-fill is refused, and its object evicted, when any key of the object was fenced at or after the lease: by
/// whichever key the write knew the object, which need not be the key B read by (an invalidation by <c>Sku</c> while
/// Redis does not hold the object cannot know its <c>Id</c>; the back-fill knows both). A put a caller asks for is
/// never a back-fill: it is written, unless it reached the server late and was overtaken (see
/// <see cref="RedisWriteClock"/> and <see cref="RedisScripts.Put"/>).
/// </content>
/// <remarks>
/// The lease is a value the chain carries from the read to its own back-fill, never ambient state: several reads of one
/// key at once each carry their own, and a read that failed has none, so its back-fill is refused. The server's clock
/// orders reads and writes; it must not step back by more than the time between a read and a write it races (a
/// failover to a replica with a clock behind the old primary's is that case).
/// </remarks>
public sealed partial class RedisStore
{
    /// <summary>The lease of a back-fill with no good read before it: refused.</summary>
    private const string NoLease = "!";

    private string? _clearFenceKey;

    /// <summary>The key under which a clear is fenced: a back-fill whose read preceded a clear is refused.</summary>
    private string ClearFenceKey => _clearFenceKey ??= RedisKeyPatterns.ClearFenceKey(KeyPrefix);

    /// <inheritdoc/>
    /// <remarks>
    /// On one server, a plain <c>GET</c>/<c>MGET</c>, whose misses take their lease from the store's clock (a lower
    /// bound of the server's time before the read, when it saw a server time within the last second), or else from
    /// <c>TIME</c> pipelined behind the read: one round trip either way (see <see cref="ReadWithClockAsync"/>). On a cluster, a plain <c>MGET</c> per slot; when
    /// keys missed, one script call for them: their values again and the time of their node. Taking the time after the
    /// miss is safe: the lease guards the database read that follows it, and a commit whose eviction fenced a key before
    /// that time had committed before the database read began, so the read sees it.
    /// </remarks>
    protected override async ValueTask<TierRead<byte[]?[]>> ReadManyLeasedAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return await RunAsync((Store: this, Keys: keys), static async (database, s, ct) =>
        {
            var cluster = s.Store.IsCluster(database);
            if (!cluster)
            {
                return await s.Store.ReadWithClockAsync(database, s.Keys, ct).ConfigureAwait(false);
            }

            var values = await ReadPlainAsync(database, s.Keys, cluster, ct).ConfigureAwait(false);
            var missed = new List<int>();
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] is null)
                {
                    missed.Add(i);
                }
            }

            if (missed.Count == 0)
            {
                return new TierRead<byte[]?[]>(values, null);
            }

            var missedKeys = missed.Select(i => s.Keys[i]).ToArray();
            byte[]?[] again;
            string lease;
            if (cluster && missedKeys.Length > 1)
            {
                (again, lease) = await ReadBySlotAsync(database, missedKeys, ct).ConfigureAwait(false);
            }
            else
            {
                var reply = (RedisResult[])(await RedisScripts.Read.EvaluateAsync(database, Keys(missedKeys), [], ct).ConfigureAwait(false))!;
                again = [.. reply.Skip(1).Select(static r => (byte[]?)r)];
                lease = (string)reply[0]!;
            }

            for (var j = 0; j < missed.Count; j++)
            {
                values[missed[j]] = again[j];
            }

            return new TierRead<byte[]?[]>(values, lease);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The read on one server, with its lease: the store's clock's when it saw a server time within the last second
    /// (<see cref="RedisWriteClock.TryLease"/>, taken before the read is sent, so no later than the server's time when
    /// it runs the read), otherwise the server's <c>TIME</c> sent behind the read on the same connection (the server
    /// runs them in order, so the time follows the read), whose reply feeds the clock. The lease is only needed when a
    /// key missed, and only then is the <c>TIME</c> reply waited for.
    /// </summary>
    private async ValueTask<TierRead<byte[]?[]>> ReadWithClockAsync(IDatabase database, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var leased = _writeClock.TryLease(out var early);
        var read = ReadPlainAsync(database, keys, cluster: false, cancellationToken);
        var clock = leased ? null : database.ExecuteAsync(RedisServerTime.Command, NoArguments, CommandFlags.DemandMaster);

        // Only a miss waits for the clock: see RedisStore.ChainReads.cs for why a hit must not.
        var values = await read.ConfigureAwait(false);
        if (Array.IndexOf(values, null) >= 0)
        {
            return new TierRead<byte[]?[]>(values, clock is null ? RedisServerTime.MicrosText(early) : await TakeLeaseAsync(clock, cancellationToken).ConfigureAwait(false));
        }

        if (clock is not null)
        {
            ObserveLater(clock);
        }

        return new TierRead<byte[]?[]>(values, null);
    }

    /// <summary>Waits for the <c>TIME</c> sent behind a read that missed: its lease, and a server time for the store's clock.</summary>
    private async ValueTask<string> TakeLeaseAsync(Task<RedisResult> clock, CancellationToken cancellationToken)
    {
        var micros = RedisServerTime.Micros(await clock.WaitAsync(cancellationToken).ConfigureAwait(false));
        _writeClock.Observe(micros);
        return RedisServerTime.MicrosText(micros);
    }

    /// <summary>
    /// Feeds the store's clock the <c>TIME</c> sent behind a read that hit, without waiting for it: at once when its
    /// reply is in (observed late, its bound is lower, never wrong), else when it comes; a failed or odd reply is
    /// dropped (a hit needs no lease). Only reads made while the clock was stale send one, so the next second's reads
    /// take their lease from the clock.
    /// </summary>
    private void ObserveLater(Task<RedisResult> clock)
    {
        if (clock.IsCompleted)
        {
            Observe(clock, _writeClock);
            return;
        }

        _ = clock.ContinueWith(static (reply, state) => Observe(reply, (RedisWriteClock)state!), _writeClock, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        static void Observe(Task<RedisResult> reply, RedisWriteClock clock)
        {
            if (reply.IsCompletedSuccessfully)
            {
                try
                {
                    clock.Observe(RedisServerTime.Micros(reply.Result));
                }
                catch (InvalidOperationException)
                {
                    // Not a TIME reply: the hit needed no lease.
                }
            }
            else
            {
                _ = reply.Exception;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One script call, as a put, except that each object whose keys a put or delete fenced since the read (or that a
    /// clear removed since) is evicted instead of written. One object on one server (a chain's miss) goes by the hot
    /// path (<c>RedisStore.DirectBackfill.cs</c>): the lean <see cref="RedisScripts.Backfill"/>, and the put script only
    /// when that one finds more to do than writing a new object or renewing one.
    /// </remarks>
    protected override ValueTask BackfillCoreAsync(IReadOnlyList<object> items, object? lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Count == 1 && lease is string leased && TryBackfillDirect(items[0], leased, cancellationToken, out var backfill)
            ? backfill
            : PutObjectsAsync(items, lease as string ?? NoLease, cancellationToken);
    }
}
