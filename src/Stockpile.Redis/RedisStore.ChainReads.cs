using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// A chain's read of one look-up by primary key (a memory miss above this store, the chain's common miss): one
/// <c>GET</c>, whose miss takes its lease from the store's clock when that saw a server time within the last second
/// (<see cref="RedisWriteClock.TryLease"/>: a lower bound of the server's time, taken before the <c>GET</c> is sent),
/// so a read sends no <c>TIME</c>, nor parses its reply; with a stale clock, the lease's <c>TIME</c> is sent with the
/// <c>GET</c>, one round trip as on the general path (<see cref="ReadManyLeasedAsync"/>), and its reply feeds the
/// clock. The caller waits for the <c>GET</c> alone: a hit, the common case, never waits for the clock, whose reply
/// StackExchange.Redis would complete as a second thread-pool work item (the general path's <c>Task.WhenAll</c> of
/// the two made every hit wait for whichever of two work items ran last: on a busy machine that wait, not Redis, was
/// most of the read). A miss then takes the time, which the server sent right behind the <c>GET</c>. As the store's
/// own get does (<c>RedisStore.PrimaryKeyReads.cs</c>), the Redis key is written straight from the value, the call
/// goes to the database directly while the circuit is closed (its outcome reported to the breaker), and the value is
/// read from a pooled lease by the store's own reader (<see cref="TryReadObject{TKey}"/>). Alternate keys (which may
/// point), key values that path does not write, a cluster (whose lease is a script on the key's node, as node clocks
/// differ), and bytes that are not an object holding the key (logged and removed there) take the general path.
/// </content>
public sealed partial class RedisStore
{
    // ExecuteAsync takes a collection: a shared empty one, not a new list per read.
    private static readonly object[] NoArguments = [];

    /// <inheritdoc/>
    /// <remarks>One <c>GET</c>; its lease is the store's clock's, or <c>TIME</c> pipelined behind it, which only a miss waits for.</remarks>
    protected override ValueTask<TierRead<object?>> ReadForChainCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Key.IsPrimary && TryWriteLookupKey(key, stackalloc byte[DirectKeyBufferBytes], out var redisKey) && TryEnterDirect(out var database) && !IsCluster(database)
            ? ReadForChainDirectAsync(database, redisKey, key, cancellationToken)
            : base.ReadForChainCoreAsync(key, cancellationToken);
    }

    /// <summary>Writes the Redis key of a look-up by primary key as the store's own get does (see <see cref="TryWriteObjectKey"/>); <see langword="false"/> for a value it does not write.</summary>
    private bool TryWriteLookupKey(EntityKey key, Span<byte> buffer, out RedisKey redisKey)
    {
        var written = key.FirstValue switch
        {
            int value => TryWriteObjectKey(key.Key, value, buffer, out var length) ? length : -1,
            long value => TryWriteObjectKey(key.Key, value, buffer, out var length) ? length : -1,
            Guid value => TryWriteObjectKey(key.Key, value, buffer, out var length) ? length : -1,
            string value => TryWriteObjectKey(key.Key, value, buffer, out var length) ? length : -1,
            _ => -1,
        };
        redisKey = written < 0 ? default : (RedisKey)buffer[..written].ToArray();
        return written >= 0;
    }

    private async ValueTask<TierRead<object?>> ReadForChainDirectAsync(IDatabase database, RedisKey redisKey, EntityKey key, CancellationToken cancellationToken)
    {
        // Taken before the GET is sent, so no later than the server's time when it runs the GET: see TryLease.
        var leased = _writeClock.TryLease(out var early);
        var read = database.StringGetLeaseAsync(redisKey);
        var clock = leased ? null : database.ExecuteAsync(RedisServerTime.Command, NoArguments, CommandFlags.DemandMaster);
        Lease<byte>? value;
        string? lease = null;
        try
        {
            value = await read.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (value is null)
            {
                lease = clock is null ? RedisServerTime.MicrosText(early) : await TakeLeaseAsync(clock, cancellationToken).ConfigureAwait(false);
            }
            else if (clock is not null)
            {
                ObserveLater(clock);
            }
        }
        catch (Exception ex)
        {
            await _link.Breaker.ReportDirectAsync(ex).ConfigureAwait(false);
            throw;
        }

        await _link.Breaker.ReportDirectAsync(null).ConfigureAwait(false);
        if (value is null)
        {
            return new(null, lease);
        }

        using (value)
        {
            if (TryReadObject(value.Span, key, out var item))
            {
                return new(item, null);
            }
        }

        return await base.ReadForChainCoreAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the object of a look-up with the store's own reader; <see langword="false"/> for bytes that are not an object holding the key (left to the general path).</summary>
    private bool TryReadObject(ReadOnlySpan<byte> payload, EntityKey key, out object? item)
    {
        // The key values TryWriteLookupKey writes.
        var wanted = key.EntityType.ClrType;
        var shortForm = ReadsShortForm(wanted, key.Key);
        item = null;
        return key.FirstValue switch
        {
            int value => TryReadObject(payload, key.Key, wanted, shortForm, value, out item),
            long value => TryReadObject(payload, key.Key, wanted, shortForm, value, out item),
            Guid value => TryReadObject(payload, key.Key, wanted, shortForm, value, out item),
            string value => TryReadObject(payload, key.Key, wanted, shortForm, value, out item),
            _ => false,
        };
    }
}
