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
    /// On one server, a plain <c>GET</c>/<c>MGET</c> with <c>TIME</c> pipelined behind it: one round trip, and the
    /// server time right after the read is the lease of its misses. On a cluster, a plain <c>MGET</c> per slot; when
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
                return await ReadWithClockAsync(database, s.Keys, ct).ConfigureAwait(false);
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
    /// The read and <c>TIME</c> sent together on one connection (the server runs them in order, so the time follows
    /// the read); the time, as the <see cref="RedisScripts.Read"/> script formats it, is the lease when a key missed,
    /// and only then is its reply waited for.
    /// </summary>
    private static async ValueTask<TierRead<byte[]?[]>> ReadWithClockAsync(IDatabase database, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var read = ReadPlainAsync(database, keys, cluster: false, cancellationToken);
        var clock = database.ExecuteAsync(RedisServerTime.Command, NoArguments, CommandFlags.DemandMaster);

        // Only a miss waits for the clock: see RedisStore.ChainReads.cs for why a hit must not.
        var values = await read.ConfigureAwait(false);
        if (Array.IndexOf(values, null) < 0)
        {
            return new TierRead<byte[]?[]>(values, null);
        }

        return new TierRead<byte[]?[]>(values, RedisServerTime.MicrosText(await clock.WaitAsync(cancellationToken).ConfigureAwait(false)));
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
