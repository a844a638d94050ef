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
/// never a back-fill: it is always written.
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

    /// <summary>The key under which a clear is fenced: a back-fill whose read preceded a clear is refused.</summary>
    private string ClearFenceKey => KeyPrefix + "#clear" + RedisScripts.FenceSuffix;

    /// <inheritdoc/>
    /// <remarks>One script call: the values and the server time, which is the lease.</remarks>
    protected override async ValueTask<TierRead<byte[]?[]>> ReadManyLeasedAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var reply = await RunAsync(keys, static (connection, keys, ct) => RedisScripts.Read.EvaluateAsync(connection, keys, [], ct), cancellationToken).ConfigureAwait(false);
        var items = reply.AsArray()!;
        var values = new byte[]?[keys.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = items[i + 1].AsBytes();
        }

        return new(values, items[0].AsString());
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One script call, as a put, except that each object whose keys a put or delete fenced since the read (or that a
    /// clear removed since) is evicted instead of written.
    /// </remarks>
    protected override ValueTask BackfillCoreAsync(IReadOnlyList<object> items, object? lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return PutObjectsAsync(items, lease as string ?? NoLease, cancellationToken);
    }
}
