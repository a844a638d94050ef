using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <content>
/// The hot path of a get-or-create's miss on one server, as the store's (<c>RedisStore.DirectPut.cs</c>): the read
/// (<see cref="GetAsync"/>, <see cref="ReadForMakeAsync"/>), the made value's write (<see cref="SetUnlessWrittenSinceAsync"/>,
/// whose script publishes the backplane's message when it can) and the backplane's other messages
/// (<see cref="PublishAsync"/>) go to Redis directly while the circuit is closed and
/// nothing waits to run before the call (this tier's clean-up, and the link's <see cref="RedisLink.BeforeCall"/>): no
/// async method of Polly's or the link's around the call, whose outcome is reported to the breaker as its pipeline
/// counts it (<see cref="RedisCircuit.ReportDirectAsync"/>); a failure is then answered exactly as on the general path
/// (<c>RedisCacheTier.FailSafe.cs</c>). The write sends again the keys its read sent (kept in the mark), its script by
/// its SHA1, and the entry from the thread's pooled buffer. The commands, scripts and arguments are the general path's,
/// which takes whatever this one does not: a cluster, an open or half-open circuit, a clean-up to run first.
/// </content>
internal sealed partial class RedisCacheTier
{
    // Entries above this size are not kept for the next write of the thread: their buffer would stay allocated.
    private const int PooledEntryBufferBytes = 16 * 1024;

    private static readonly RedisScript s_setMade = new(RedisCacheScripts.SetMade);

    // One buffer per thread, taken for the length of a made value's write and given back when Redis answered: a write
    // that failed or was cancelled may still be queued in the multiplexer, so its buffer is left to the garbage collector.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_entryBuffer;

    /// <summary>Gets the database for a direct call: connected, the circuit closed, nothing to run first, one server; <see langword="false"/> otherwise.</summary>
    internal bool TryEnterDirect([NotNullWhen(true)] out IDatabase? database)
    {
        database = _link.DirectDatabase;
        return database is not null && !_catchUp.IsPending && !_topology.IsCluster(database);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheEntry?> GetDirectAsync(IDatabase database, string key, CancellationToken cancellationToken)
    {
        try
        {
            // An MGET of one key, as the general path sends (a key of another type answers nil, not WRONGTYPE).
            var values = await DirectAsync(database.StringGetAsync([KeyOf(key)]), cancellationToken).ConfigureAwait(false);
            return Decode(values[0]);
        }
        catch (Exception ex) when (ReadFailed(ex, "get"))
        {
            return null;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheRead> ReadForMakeDirectAsync(IDatabase database, string key, CancellationToken cancellationToken)
    {
        RedisKey[] keys = [KeyOf(key), FenceKeyOf(key), _flushFenceKey];
        try
        {
            var values = await DirectAsync(database.StringGetAsync(keys), cancellationToken).ConfigureAwait(false);
            return new CacheRead(Decode(values[0]), new RedisCacheMark(values[0], values[1], values[2]) { Keys = keys });
        }
        catch (Exception ex) when (ReadFailed(ex, "get"))
        {
            return new CacheRead(null, null);
        }
    }

    /// <remarks>Only on one server: a cluster's write also reads the flush fence after (<see cref="SetMadeAsync"/>).</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MadeWrite> SetMadeDirectAsync(IDatabase database, string key, CacheEntry entry, RedisCacheMark seen, (RedisValue Channel, byte[] Message)? announce, CancellationToken cancellationToken)
    {
        var keys = seen.Keys ?? [KeyOf(key), FenceKeyOf(key), _flushFenceKey];
        var buffer = t_entryBuffer ?? new ArrayBufferWriter<byte>(256);
        t_entryBuffer = null;
        try
        {
            var ttl = Encode(entry, buffer);
            var written = MadeWriteOf(await ReportedAsync(s_setMade.EvaluateAsync(database, keys, SetMadeArguments(buffer.WrittenMemory, ttl, seen, announce), cancellationToken)).ConfigureAwait(false));
            if (buffer.Capacity <= PooledEntryBufferBytes)
            {
                buffer.ResetWrittenCount();
                t_entryBuffer = buffer;
            }

            return written;
        }
        catch (Exception ex) when (WriteFailed(ex, (string?)keys[0], "set"))
        {
            return MadeWrite.Stored;
        }
        catch (RedisServerException ex) when (!RedisLink.IsUnavailable(ex))
        {
            // As on the guarded path (SetMadeGuardedAsync): the cache logs it at Error with this reason and counts it.
            throw new InvalidOperationException(ExceptionMessages.CacheWriteRefused(_name, "set", null, ex.Message), ex);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PublishDirectAsync(ISubscriber subscriber, RedisChannel channel, byte[] message, CancellationToken cancellationToken) =>
        await DirectAsync(subscriber.PublishAsync(channel, message), cancellationToken).ConfigureAwait(false);

    /// <summary>Awaits a direct call (until <paramref name="cancellationToken"/> is cancelled), then reports how it ended to the breaker (<see cref="ReportedAsync{T}"/>).</summary>
    private ValueTask<T> DirectAsync<T>(Task<T> call, CancellationToken cancellationToken) =>
        ReportedAsync(new ValueTask<T>(call.WaitAsync(cancellationToken)));

    /// <summary>Awaits a direct call, then reports how it ended to the breaker: a failure always, as its pipeline would count it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> ReportedAsync<T>(ValueTask<T> call)
    {
        T result;
        try
        {
            result = await call.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await _link.Breaker.ReportDirectAsync(ex).ConfigureAwait(false);
            throw;
        }

        await _link.Breaker.ReportDirectAsync(null).ConfigureAwait(false);
        return result;
    }
}
