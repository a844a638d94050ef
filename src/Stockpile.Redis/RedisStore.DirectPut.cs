using System.Buffers;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// The hot path of a put of one object on one server: the Redis keys' UTF-8 bytes are written straight from the
/// object's key values (no <see cref="EntityKey"/>, canonical string or key string), the value is serialized into a
/// pooled buffer, and while the circuit is closed the script goes to the database directly (its outcome reported to
/// the breaker, as a get by primary key value does), with no async method of Polly's or the link's around it. The
/// script, its keys and arguments and the breaker's accounting are those of the general path
/// (<see cref="PutObjectsAsync"/>), which takes over whenever this one does not apply: a key it does not write
/// (composite, converted, a string that needs escapes or is too long), a type with tags, a cluster, a value over
/// <see cref="RedisStoreOptions.MaximumValueBytes"/>, or a link with work to do before the call.
/// </content>
public sealed partial class RedisStore
{
    // Values above this size are not kept for the next put of the thread: their buffer would stay allocated.
    private const int PooledValueBufferBytes = 16 * 1024;

    // One buffer per thread, taken for the length of a put and given back when Redis answered: a put that failed or
    // was cancelled may still be queued in the multiplexer, so its buffer is left to the garbage collector.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_valueBuffer;

    /// <summary>Starts the put of one object by the hot path; <see langword="false"/> when it does not apply (see the remarks on this file).</summary>
    internal bool TryPutDirect(StockpileEntityType entityType, object item, CancellationToken cancellationToken, out ValueTask put)
    {
        put = default;
        if (entityType.TagSelector is not null || !TryEnterDirect(out var database) || IsCluster(database)
            || !TryWriteObjectKeys(entityType, item, _compactKeys, out var keys)
            || !TryWriteOtherLayoutKeys(entityType, item, keys, out var others))
        {
            return false;
        }

        if (SerializeForDirectCall(item, out var failed) is not { } value)
        {
            // A serializer's failure goes through the task, as the general path reports it; a value too large goes to
            // the general path, which refuses it, logged.
            put = failed;
            return failed.IsFaulted;
        }

        // The put script's short form for one object: the lease (none) and the alternate key count are not sent.
        RedisValue[] arguments = [KeyPrefix, _writeClock.Stamp(), value.WrittenMemory, TimeToLiveArgument(item)];
        put = PutDirectAsync(database, keys, arguments, value, item, others, cancellationToken);
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PutDirectAsync(IDatabase database, RedisKey[] keys, RedisValue[] arguments, ArrayBufferWriter<byte> value, object item, RedisKey[]? others, CancellationToken cancellationToken)
    {
        try
        {
            var put = RedisScripts.Put.EvaluateAsync(database, keys, arguments, cancellationToken);
            var serverTime = others is null
                ? await put.ConfigureAwait(false)
                : await WithEvictionBehindAsync(put, DeleteOnServerAsync(database, others, 0, cancellationToken)).ConfigureAwait(false);
            _writeClock.Observe((long)serverTime);
        }
        catch (Exception ex)
        {
            await _link.Breaker.ReportDirectAsync(ex).ConfigureAwait(false);
            if (!SkipsFailedWrite(others is null ? [StorageKey(EntityKey.FromEntity(item))] : [StorageKey(EntityKey.FromEntity(item)), .. Array.ConvertAll(others, static k => (string)k!)], ex, [item]))
            {
                throw;
            }

            return;
        }

        ReturnValueBuffer(value);
        await _link.Breaker.ReportDirectAsync(null).ConfigureAwait(false);
    }

    private static void ReturnValueBuffer(ArrayBufferWriter<byte> value)
    {
        if (value.Capacity <= PooledValueBufferBytes)
        {
            value.ResetWrittenCount();
            t_valueBuffer = value;
        }
    }

    /// <summary>
    /// Writes the Redis keys of an object, its primary key first, then the alternate keys it has a value for, as
    /// <see cref="StorageKey"/> does (in the compact layout or the full-name one), in UTF-8; <see langword="false"/>
    /// when a key is not one the hot path writes.
    /// </summary>
    private bool TryWriteObjectKeys(StockpileEntityType entityType, object item, bool compact, out RedisKey[] keys)
    {
        var start = _objectKeyStartUtf8 ??= RedisKeyPatterns.ObjectKeyStartUtf8(KeyPrefix);
        Span<byte> buffer = stackalloc byte[DirectKeyBufferBytes];
        keys = new RedisKey[entityType.Keys.Count];
        var count = 0;
        if (!start.AsSpan().TryCopyTo(buffer))
        {
            return false;
        }

        foreach (var key in entityType.Keys)
        {
            if (!key.TryWriteCanonicalUtf8(item, IsPolymorphic, compact, buffer[start.Length..^1], out var written))
            {
                return false;
            }

            if (written == 0)
            {
                // The object has no value for this key: it is not filed under it (a primary key always has one).
                if (key.IsPrimary)
                {
                    return false;
                }

                continue;
            }

            var end = start.Length + written;
            buffer[end] = RedisKeyPatterns.ObjectKeyEndUtf8;
            keys[count++] = buffer[..(end + 1)].ToArray();
        }

        if (count < keys.Length)
        {
            Array.Resize(ref keys, count);
        }

        return true;
    }

    /// <summary>An object's time to live as the put script takes it: ms, <c>0</c> for never, <c>-1</c> when already expired.</summary>
    private long TimeToLiveArgument(object item) => TimeToLive(item) switch
    {
        null => 0L,
        { } ttl when ttl <= TimeSpan.Zero => -1L,
        { } ttl => Milliseconds(ttl),
    };
}
