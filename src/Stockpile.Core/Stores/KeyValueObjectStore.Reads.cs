using Stockpile.Internal.KeyValue;

namespace Stockpile;

public abstract partial class KeyValueObjectStore
{
    /// <inheritdoc/>
    protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        var storageKey = StorageKey(key);
        var payload = await ReadAsync(storageKey, cancellationToken).ConfigureAwait(false);
        var followed = payload is not null && IsPointerToFollow(key, payload);
        if (followed)
        {
            storageKey = StoredPayload.PointerTarget(payload!);
            payload = await ReadAsync(storageKey, cancellationToken).ConfigureAwait(false);
        }

        return await DecodeAsync(key, storageKey, followed, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Two batch reads at most: the look-ups, then the objects that alternate keys point to.</remarks>
    protected override async ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) =>
        (await ReadObjectsAsync(keys, leased: false, cancellationToken).ConfigureAwait(false)).Value;

    /// <inheritdoc/>
    /// <remarks>The look-up is read with <see cref="ReadManyLeasedAsync"/>, whose lease the back-fill gets back.</remarks>
    protected override async ValueTask<TierRead<object?>> ReadForChainCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        var read = await ReadObjectsAsync([key], leased: true, cancellationToken).ConfigureAwait(false);
        return new(read.Value[0], read.Lease);
    }

    /// <inheritdoc/>
    /// <remarks>The look-ups are read with <see cref="ReadManyLeasedAsync"/>, whose lease the back-fill gets back.</remarks>
    protected override ValueTask<TierRead<object?[]>> ReadManyForChainCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) =>
        ReadObjectsAsync(keys, leased: true, cancellationToken);

    /// <summary>
    /// Reads keys for a chain that may back-fill this store when they miss, with the lease that back-fill will carry
    /// (see <see cref="ObjectStore.BackfillCoreAsync"/>). The default calls <see cref="ReadManyAsync"/> and takes no lease.
    /// </summary>
    /// <param name="keys">The full keys.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The bytes per key, in order, <see langword="null"/> where there are none, and the lease.</returns>
    protected virtual async ValueTask<TierRead<byte[]?[]>> ReadManyLeasedAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        new(await ReadManyAsync(keys, cancellationToken).ConfigureAwait(false), null);

    private async ValueTask<TierRead<object?[]>> ReadObjectsAsync(IReadOnlyList<EntityKey> keys, bool leased, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfDisposed();
        // Plain loops, no LINQ or closures: this runs on every batch hit.
        var storageKeys = new string[keys.Count];
        for (var i = 0; i < storageKeys.Length; i++)
        {
            storageKeys[i] = StorageKey(keys[i]);
        }

        var (payloads, lease) = leased
            ? await ReadManyLeasedAsync(storageKeys, cancellationToken).ConfigureAwait(false)
            : new TierRead<byte[]?[]>(await ReadManyAsync(storageKeys, cancellationToken).ConfigureAwait(false), null);
        List<int>? follow = null;
        for (var i = 0; i < payloads.Length; i++)
        {
            if (payloads[i] is { } payload && IsPointerToFollow(keys[i], payload))
            {
                storageKeys[i] = StoredPayload.PointerTarget(payload);
                (follow ??= []).Add(i);
            }
        }

        if (follow is not null)
        {
            var targetKeys = new string[follow.Count];
            for (var j = 0; j < targetKeys.Length; j++)
            {
                targetKeys[j] = storageKeys[follow[j]];
            }

            var targets = await ReadManyAsync(targetKeys, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < follow.Count; j++)
            {
                payloads[follow[j]] = targets[j];
            }
        }

        var results = new object?[keys.Count];
        for (var i = 0; i < results.Length; i++)
        {
            // follow holds indexes in ascending order.
            var followed = follow is not null && follow.BinarySearch(i) >= 0;
            results[i] = await DecodeAsync(keys[i], storageKeys[i], followed, payloads[i], cancellationToken).ConfigureAwait(false);
        }

        return new(results, lease);
    }

    /// <summary>
    /// Reads an object for a look-up: anything but an object that has the looked-up key is a miss. What no put of this
    /// store writes there (bytes that cannot be read, a pointer where none is followed, an object under the look-up's
    /// own key that does not have it) is another program's, or damaged: it is logged and removed, so that it costs one
    /// read, not every read. An object reached through a pointer that no longer has the key is good, and the pointer
    /// stale (a crash between writes): the next put of the key overwrites the pointer.
    /// </summary>
    /// <param name="key">The look-up.</param>
    /// <param name="storageKey">The key <paramref name="payload"/> was read under: the look-up's, or its pointer's target.</param>
    /// <param name="followed">Whether <paramref name="payload"/> was read through an alternate key's pointer.</param>
    /// <param name="payload">The bytes read, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    private async ValueTask<object?> DecodeAsync(EntityKey key, string storageKey, bool followed, byte[]? payload, CancellationToken cancellationToken)
    {
        if (payload is null)
        {
            return null;
        }

        if (!StoredPayload.IsPointer(payload))
        {
            object? item;
            try
            {
                item = StoredPayload.ReadValue(payload, OwnerOf(key.Key), key.EntityType.ClrType, IsPolymorphic, Serializer);
            }
            catch (StockpileSerializationException ex)
            {
                Log.UnreadableEntry(Logger, Name, ex);
                await RemoveAsync(storageKey, cancellationToken).ConfigureAwait(false);
                return null;
            }

            // Null: nothing, or a good object of another type than the one asked for (a Truck where a Car was). Bytes
            // this store did not write may hold another object (or JSON of another shape, read as an object with default
            // values): check the object has the looked-up key, the primary one included.
            if (item is null || key.IsHeldBy(item))
            {
                return item;
            }

            if (followed)
            {
                return null;
            }
        }

        Log.ForeignEntry(Logger, Name);
        await RemoveAsync(storageKey, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Whether bytes read under a look-up are a pointer this store may follow: only an alternate key holds one, and it
    /// names a key under <see cref="KeyPrefix"/>. A pointer under a primary key, or leading out of the prefix, is not
    /// this store's (foreign or damaged bytes): it is a miss, and nothing outside the prefix is read.
    /// </summary>
    private bool IsPointerToFollow(EntityKey key, byte[] payload) =>
        StoredPayload.IsPointer(payload) && !key.Key.IsPrimary && StoredPayload.PointerTarget(payload).StartsWith(KeyPrefix, StringComparison.Ordinal);
}
