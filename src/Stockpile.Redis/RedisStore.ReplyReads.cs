using System.Buffers;
using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// A batch by primary key values read straight from the <c>MGET</c> reply: StackExchange.Redis hands back the reply
/// undecoded in one pooled buffer (<see cref="IDatabaseAsync.ExecuteRespAsync"/>), and each value is deserialized from
/// its bytes in that buffer, with no <see cref="RedisValue"/> or <c>byte[]</c> per value.
/// </content>
public sealed partial class RedisStore
{
    private const string MultiGet = "MGET";

    /// <summary>
    /// Sends one <c>MGET</c> of <paramref name="keys"/>; the task's reply must be disposed. The arguments are written
    /// before the call returns (see <see cref="IDatabaseAsync.ExecuteRespAsync"/>), so their array, and the keys'
    /// buffer, may go back to the pool at once. They go as values over the keys' bytes (no array per key): one server
    /// serves every key, so no key needs to pick it (a cluster reads by slot, with keys).
    /// </summary>
    private static Task<RespResult> SendMultiGet(IDatabase database, PooledKeyBytes keys)
    {
        var arguments = ArrayPool<RedisKeyOrValue>.Shared.Rent(keys.Count);
        try
        {
            for (var i = 0; i < keys.Count; i++)
            {
                arguments[i] = (RedisValue)keys[i];
            }

            return database.ExecuteRespAsync(MultiGet, arguments.AsMemory(0, keys.Count));
        }
        finally
        {
            ArrayPool<RedisKeyOrValue>.Shared.Return(arguments, clearArray: true);
        }
    }

    /// <summary>Disposes a reply nobody reads (its wait was cancelled) when it comes.</summary>
    private static void DisposeWhenReceived(Task<RespResult> pending) =>
        _ = pending.ContinueWith(static read => read.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>
    /// Reads the objects of an <c>MGET</c> reply into <paramref name="results"/>, one per key in order;
    /// <see langword="false"/> when a value is not a readable object (left to the general path, which logs and removes it).
    /// </summary>
    /// <exception cref="RedisException">The reply is not an array of one value per key.</exception>
    private bool TryReadReply<T, TKey>(RespResult reply, KeyDefinition key, bool shortForm, IReadOnlyList<TKey> primaryKeys, T?[] results)
        where T : class
    {
        var reader = reply.Read();
        if (!reader.IsAggregate || reader.AggregateLength() != results.Length)
        {
            throw new RedisException(Redis.ExceptionMessages.UnexpectedReply(MultiGet, results.Length));
        }

        var readable = true;
        var values = reader.AggregateChildren();
        for (var i = 0; i < results.Length && values.MoveNext(); i++)
        {
            var value = values.Value;
            if (value.IsNull)
            {
                continue;
            }

            // A value split over two of the reply's segments is copied out; one in a single segment is read in place.
            readable &= value.TryGetSpan(out var payload)
                ? TryReadObject(payload, key, shortForm, primaryKeys[i], out results[i])
                : TryReadObject(value.ReadByteArray(), key, shortForm, primaryKeys[i], out results[i]);
        }

        return readable;
    }
}
