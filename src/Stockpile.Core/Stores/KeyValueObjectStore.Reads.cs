using Stockpile.Internal.KeyValue;

namespace Stockpile;

public abstract partial class KeyValueObjectStore
{
    /// <inheritdoc/>
    protected override async ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var storageKey = StorageKey(key);
        var payload = await ReadAsync(storageKey, cancellationToken).ConfigureAwait(false);
        if (payload is not null && StoredPayload.IsPointer(payload))
        {
            storageKey = StoredPayload.PointerTarget(payload);
            payload = await ReadAsync(storageKey, cancellationToken).ConfigureAwait(false);
        }

        return await DecodeAsync(key, storageKey, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Two batch reads at most: the look-ups, then the objects that alternate keys point to.</remarks>
    protected override async ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfDisposed();
        var storageKeys = keys.Select(StorageKey).ToArray();
        var payloads = await ReadManyAsync(storageKeys, cancellationToken).ConfigureAwait(false);
        var follow = new List<int>();
        for (var i = 0; i < payloads.Length; i++)
        {
            if (payloads[i] is { } payload && StoredPayload.IsPointer(payload))
            {
                storageKeys[i] = StoredPayload.PointerTarget(payload);
                follow.Add(i);
            }
        }

        if (follow.Count > 0)
        {
            var targets = await ReadManyAsync(follow.Select(i => storageKeys[i]).ToArray(), cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < follow.Count; j++)
            {
                payloads[follow[j]] = targets[j];
            }
        }

        var results = new object?[keys.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = await DecodeAsync(keys[i], storageKeys[i], payloads[i], cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>Reads an object for a look-up; bytes that cannot be read, or an object that no longer has the looked-up key, are a miss.</summary>
    private async ValueTask<object?> DecodeAsync(EntityKey key, string storageKey, byte[]? payload, CancellationToken cancellationToken)
    {
        if (payload is null || StoredPayload.IsPointer(payload))
        {
            return null;
        }

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

        if (item is null || key.Key.IsPrimary)
        {
            return item;
        }

        // A pointer may outlive the object's claim on the key (a crash between writes): check the object still has it.
        return key.IsHeldBy(item) ? item : null;
    }
}
