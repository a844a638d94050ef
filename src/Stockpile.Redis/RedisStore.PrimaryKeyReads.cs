using StackExchange.Redis;
using Stockpile.Internal.KeyValue;
using Stockpile.Redis.Internal;

namespace Stockpile;

/// <content>
/// The hot path of a get by primary key value, single or batch: the Redis key's UTF-8 bytes are written straight from
/// the value (the prefix and the key's canonical head are cached), with no <see cref="EntityKey"/>, canonical string or
/// key string; while the circuit is closed the call goes to the database directly (its outcome reported to the
/// breaker: see <see cref="RedisCircuit.ReportDirectAsync"/>), with no async method of Polly's or the link's around it; a single value is read into a pooled lease and deserialized from it. The keys, the
/// bytes read and the breaker's accounting are the same as the general path's (<see cref="KeyValueObjectStore"/>
/// through <see cref="RedisLink.ExecuteAsync"/>), which takes over whenever the hot path does not apply: a key type it
/// does not write (composite, converted, a string that needs escapes), a link not connected yet or with work to do
/// before the call (the clear fence, missed keys), a refused breaker, or bytes that are not an object holding its key
/// (the general path reads them again, logs and removes them). <see cref="TryReadObject{TKey}"/> is the one reader of
/// an object under a primary key: the store's get and batch get here, and the chain's read (<c>RedisStore.ChainReads.cs</c>).
/// </content>
public sealed partial class RedisStore
{
    // Longer keys (long string key values, long prefixes) take the general path.
    private const int DirectKeyBufferBytes = 512;

    private byte[]? _objectKeyStartUtf8;

    /// <inheritdoc/>
    /// <remarks>One <c>GET</c>, read into a pooled buffer and deserialized from it.</remarks>
    protected override ValueTask<T?> GetByPrimaryKeyCoreAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class
    {
        var key = StockpileEntityType.For<T>().PrimaryKey;
        Span<byte> buffer = stackalloc byte[DirectKeyBufferBytes];
        return TryWriteObjectKey(key, primaryKey, buffer, out var length) && TryEnterDirect(out var database)
            ? GetDirectAsync<T, TKey>(database, buffer[..length].ToArray(), key, primaryKey, cancellationToken)
            : base.GetByPrimaryKeyCoreAsync<T, TKey>(primaryKey, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One <c>MGET</c>, deserialized from its undecoded reply (see <see cref="TryReadReply{T, TKey}"/>); on a cluster, one per hash slot, sent together.</remarks>
    protected override ValueTask<IReadOnlyList<T?>> GetManyByPrimaryKeyCoreAsync<T, TKey>(IReadOnlyList<TKey> primaryKeys, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(primaryKeys);
        var key = StockpileEntityType.For<T>().PrimaryKey;
        var keys = new PooledKeyBytes(primaryKeys.Count, bytesPerKey: 96); // a prefix, a type's token (or full name), a key name and a value
        for (var i = 0; i < primaryKeys.Count; i++)
        {
            // A null value is refused by the general path, with the key's name.
            if (primaryKeys[i] is not { } value || !TryWriteObjectKey(key, value, keys.Room(DirectKeyBufferBytes), out var length))
            {
                keys.Dispose();
                return base.GetManyByPrimaryKeyCoreAsync<T, TKey>(primaryKeys, cancellationToken);
            }

            keys.Add(length);
        }

        if (TryEnterDirect(out var database))
        {
            return GetManyDirectAsync<T, TKey>(database, keys, key, primaryKeys, cancellationToken);
        }

        keys.Dispose();
        return base.GetManyByPrimaryKeyCoreAsync<T, TKey>(primaryKeys, cancellationToken);
    }

    private async ValueTask<T?> GetDirectAsync<T, TKey>(IDatabase database, RedisKey redisKey, KeyDefinition key, TKey primaryKey, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull
    {
        Lease<byte>? lease;
        try
        {
            lease = await database.StringGetLeaseAsync(redisKey).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await _link.Breaker.ReportDirectAsync(ex).ConfigureAwait(false);
            throw;
        }

        await _link.Breaker.ReportDirectAsync(null).ConfigureAwait(false);
        if (lease is null)
        {
            return null;
        }

        using (lease)
        {
            if (TryReadObject(lease.Span, key, ReadsShortForm(typeof(T), key), primaryKey, out T? item))
            {
                return item;
            }
        }

        return await base.GetByPrimaryKeyCoreAsync<T, TKey>(primaryKey, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<IReadOnlyList<T?>> GetManyDirectAsync<T, TKey>(IDatabase database, PooledKeyBytes keys, KeyDefinition key, IReadOnlyList<TKey> primaryKeys, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull
    {
        var results = new T?[keys.Count];
        var shortForm = ReadsShortForm(typeof(T), key);
        var unreadable = false;
        Task<RespResult>? pending = null;
        try
        {
            if (IsCluster(database))
            {
                var redisKeys = new RedisKey[keys.Count];
                for (var i = 0; i < redisKeys.Length; i++)
                {
                    redisKeys[i] = keys.KeyAt(i);
                }

                keys.Dispose();

                // Each slot's values are read as its reply comes in, while the other slots' replies are on their way.
                await foreach (var (index, value) in MultiGetBySlotAsync(database, redisKeys, cancellationToken).ConfigureAwait(false))
                {
                    unreadable |= !TryReadValue(value, key, shortForm, primaryKeys[index], out results[index]);
                }
            }
            else
            {
                try
                {
                    pending = SendMultiGet(database, keys);
                }
                finally
                {
                    keys.Dispose();
                }

                using var reply = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
                unreadable = !TryReadReply(reply, key, shortForm, primaryKeys, results);
            }
        }
        catch (Exception ex)
        {
            if (ex is OperationCanceledException && pending is not null)
            {
                DisposeWhenReceived(pending);
            }

            await _link.Breaker.ReportDirectAsync(ex).ConfigureAwait(false);
            throw;
        }

        await _link.Breaker.ReportDirectAsync(null).ConfigureAwait(false);
        return unreadable
            ? await base.GetManyByPrimaryKeyCoreAsync<T, TKey>(primaryKeys, cancellationToken).ConfigureAwait(false)
            : results;
    }

    /// <summary>Writes the Redis key of a look-up by primary key value, as <see cref="StorageKey"/> does, in UTF-8 at the start of <paramref name="buffer"/>; <see langword="false"/> when the value is not one the hot path writes.</summary>
    private bool TryWriteObjectKey<TKey>(KeyDefinition key, TKey value, Span<byte> buffer, out int length)
    {
        var start = _objectKeyStartUtf8 ??= RedisKeyPatterns.ObjectKeyStartUtf8(KeyPrefix);
        if (start.AsSpan().TryCopyTo(buffer) && key.TryWriteCanonicalUtf8(value, IsPolymorphic, _compactKeys, buffer[start.Length..^1], out var written))
        {
            var end = start.Length + written;
            buffer[end] = RedisKeyPatterns.ObjectKeyEndUtf8;
            length = end + 1;
            return true;
        }

        length = 0;
        return false;
    }

    /// <summary>
    /// Decides whether a call may be made without <see cref="RedisLink.ExecuteAsync"/>: only when the store is not
    /// disposed and the link offers its <see cref="RedisLink.DirectDatabase"/> (connected, the circuit closed, and this
    /// store's <see cref="BeforeCallAsync"/> with nothing to do: <see cref="HasWorkBeforeCall"/>); report the outcome
    /// with <see cref="RedisCircuit.ReportDirectAsync"/>.
    /// </summary>
    private bool TryEnterDirect(out IDatabase database)
    {
        database = _link.DirectDatabase!;
        return database is not null && !IsDisposed;
    }

    /// <summary>Reads an object from a value read under a primary key: <see langword="null"/> for a miss; <see langword="false"/> for bytes that are not a readable object.</summary>
    private bool TryReadValue<T, TKey>(RedisValue value, KeyDefinition key, bool shortForm, TKey primaryKey, out T? item)
        where T : class
    {
        item = null;
        return (byte[]?)value is not { } payload || TryReadObject(payload, key, shortForm, primaryKey, out item);
    }

    /// <summary>
    /// Whether objects read under <paramref name="key"/> as <paramref name="wanted"/> may be stored in the short form
    /// (<see cref="StoredPayload.OwnTypeMarker"/>, then the serializer's bytes): decided once per call, so that each
    /// value in that form is deserialized with no look-up of its type.
    /// </summary>
    private bool ReadsShortForm(Type wanted, KeyDefinition key) =>
        OwnerOf(key) is var owner && wanted.IsAssignableFrom(owner) && StoredPayload.IsFiledByOwnType(owner);

    /// <summary>Reads an object under a primary key as <typeparamref name="T"/> with <see cref="TryReadObject{TKey}"/>.</summary>
    private bool TryReadObject<T, TKey>(ReadOnlySpan<byte> payload, KeyDefinition key, bool shortForm, TKey primaryKey, out T? item)
        where T : class
    {
        var read = TryReadObject(payload, key, typeof(T), shortForm, primaryKey, out var value);
        item = value as T;
        return read;
    }

    /// <summary>
    /// Reads an object of <paramref name="wanted"/> under a primary key: <see langword="null"/> for a good object of
    /// another type (a <c>Truck</c> where a <c>Car</c> was asked for); <see langword="false"/> for anything no put of
    /// this store writes there (a pointer, bytes that cannot be read, an object that does not hold the key), which the
    /// general path reads again, logs and removes (<see cref="KeyValueObjectStore"/>).
    /// </summary>
    private bool TryReadObject<TKey>(ReadOnlySpan<byte> payload, KeyDefinition key, Type wanted, bool shortForm, TKey primaryKey, out object? item)
    {
        item = null;
        if (StoredPayload.IsPointer(payload))
        {
            return false;
        }

        try
        {
            item = shortForm && payload.Length > 0 && payload[0] == StoredPayload.OwnTypeMarker
                ? StoredPayload.Deserialize(payload[1..], OwnerOf(key), Serializer)
                : StoredPayload.ReadValue(payload, OwnerOf(key), wanted, IsPolymorphic, Serializer);
        }
        catch (StockpileSerializationException)
        {
            return false;
        }

        // Bytes this store did not write may hold another object, or JSON of another shape read with default values.
        // The hot path takes only a one-value key of exactly TKey's type (see KeyDefinition.TryWriteCanonicalUtf8),
        // read without boxing when the property is of that type too.
        var accessor = key.Accessors[0];
        if (item is null || (accessor.TypedRead<TKey>() is { } read
            ? EqualityComparer<TKey>.Default.Equals(read(item), primaryKey)
            : accessor.Read(item) is TKey held && EqualityComparer<TKey>.Default.Equals(held, primaryKey)))
        {
            return true;
        }

        item = null;
        return false;
    }
}
