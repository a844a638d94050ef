using System.Buffers;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// The hot path of a chain's back-fill of one object on one server (the back-fill after every miss served from the
/// database): the Redis keys' UTF-8 bytes written straight from the object, the value serialized into the thread's
/// pooled buffer, the call sent to the database directly while the circuit is closed (its outcome reported to the
/// breaker), as the put's hot path does (<c>RedisStore.DirectPut.cs</c>), and the lean script
/// <see cref="RedisScripts.Backfill"/> instead of the put script. When that script finds anything but a new object or
/// one filed as it will be (it then writes nothing), the back-fill goes through the general path
/// (<see cref="PutObjectsAsync"/>), which decides it again under the same lease. The general path also takes whatever
/// this one does not: a key it does not write, a type with tags, a cluster, an expired object, a value over
/// <see cref="RedisStoreOptions.MaximumValueBytes"/>, no lease, a link with work to do before the call.
/// </content>
public sealed partial class RedisStore
{
    /// <summary>Starts the back-fill of one object by the hot path; <see langword="false"/> when it does not apply (see the remarks on this file).</summary>
    private bool TryBackfillDirect(object item, string lease, CancellationToken cancellationToken, out ValueTask backfill)
    {
        backfill = default;
        var entityType = StockpileEntityType.For(item.GetType());
        var timeToLive = TimeToLiveArgument(item);
        if (lease == NoLease || timeToLive < 0 || entityType.TagSelector is not null || !TryEnterDirect(out var database) || IsCluster(database)
            || !TryWriteObjectKeys(entityType, item, _compactKeys, out var keys))
        {
            return false;
        }

        if (SerializeForDirectCall(item, out var failed) is not { } value)
        {
            backfill = failed;
            return failed.IsFaulted;
        }

        backfill = BackfillDirectAsync(database, keys, [lease, value.WrittenMemory, timeToLive], value, item, cancellationToken);
        return true;
    }

    /// <summary>
    /// Serializes an object for a direct call into the thread's pooled buffer (given back by <see cref="ReturnValueBuffer"/>
    /// once Redis answered). <see langword="null"/> when the serializer failed (<paramref name="failed"/> then carries
    /// its exception, which the general path would report through its task too) or the value is over
    /// <see cref="RedisStoreOptions.MaximumValueBytes"/> (<paramref name="failed"/> completed: the general path
    /// serializes it again and refuses it, logged).
    /// </summary>
    private ArrayBufferWriter<byte>? SerializeForDirectCall(object item, out ValueTask failed)
    {
        failed = default;
        var value = t_valueBuffer ?? new ArrayBufferWriter<byte>(256);
        t_valueBuffer = null;
        try
        {
            StoredPayload.WriteValue(value, item, Serializer);
        }
        catch (Exception ex)
        {
            failed = ValueTask.FromException(ex);
            return null;
        }

        if (value.WrittenCount > _maximumValueBytes)
        {
            ReturnValueBuffer(value);
            return null;
        }

        return value;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask BackfillDirectAsync(IDatabase database, RedisKey[] keys, RedisValue[] arguments, ArrayBufferWriter<byte> value, object item, CancellationToken cancellationToken)
    {
        long serverTime;
        try
        {
            serverTime = (long)await RedisScripts.Backfill.EvaluateAsync(database, keys, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await _link.Breaker.ReportDirectAsync(ex).ConfigureAwait(false);
            if (!SkipsFailedWrite([StorageKey(EntityKey.FromEntity(item))], ex, [item]))
            {
                throw;
            }

            return;
        }

        ReturnValueBuffer(value);
        await _link.Breaker.ReportDirectAsync(null).ConfigureAwait(false);
        if (serverTime < 0)
        {
            // Not one of the two cases the script writes: nothing was written, and the put script decides.
            await PutObjectsAsync([item], (string)arguments[0]!, cancellationToken).ConfigureAwait(false);
            return;
        }

        _writeClock.Observe(serverTime);
    }
}
