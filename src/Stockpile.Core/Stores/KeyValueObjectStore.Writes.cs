using Stockpile.Internal.KeyValue;

namespace Stockpile;

public abstract partial class KeyValueObjectStore
{
    /// <inheritdoc/>
    protected override async ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        ArgumentNullException.ThrowIfNull(item);

        // Serialize first: a failure must leave the store as it was.
        var value = StoredPayload.Value(item, Serializer);
        var primary = StorageKey(EntityKey.FromEntity(item));
        var alternates = AlternateKeys(entityType, item);
        var ttl = TimeToLive(item);

        var previous = await ReadObjectAsync(primary, cancellationToken).ConfigureAwait(false);
        if (previous is not null)
        {
            foreach (var old in AlternateKeys(StockpileEntityType.For(previous.GetType()), previous).Except(alternates))
            {
                await RemovePointerAsync(old, primary, cancellationToken).ConfigureAwait(false);
            }
        }

        // The newest write wins an alternate key: another object that held it is evicted entirely.
        var claimed = await ReadManyAsync(alternates, cancellationToken).ConfigureAwait(false);
        foreach (var payload in claimed)
        {
            if (payload is not null && StoredPayload.IsPointer(payload) && StoredPayload.PointerTarget(payload) is var owner && owner != primary)
            {
                await RemoveObjectAsync(owner, cancellationToken).ConfigureAwait(false);
            }
        }

        if (ttl is { } live && live <= TimeSpan.Zero)
        {
            await RemoveObjectAsync(primary, cancellationToken).ConfigureAwait(false);
            return;
        }

        var writes = new List<KeyValueWrite>(alternates.Count + 1) { new(primary, value, ttl) };
        var pointer = StoredPayload.Pointer(primary);
        writes.AddRange(alternates.Select(a => new KeyValueWrite(a, pointer, ttl)));
        await WriteManyAsync(writes, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var storageKey = StorageKey(key);
        if (!key.Key.IsPrimary)
        {
            var payload = await ReadAsync(storageKey, cancellationToken).ConfigureAwait(false);
            if (payload is null || !StoredPayload.IsPointer(payload))
            {
                return false;
            }

            // Only follow a pointer the object still honours: the key may now belong to nothing.
            var target = StoredPayload.PointerTarget(payload);
            var item = await ReadObjectAsync(target, cancellationToken).ConfigureAwait(false);
            if (item is null || !key.IsHeldBy(item))
            {
                await RemovePointerAsync(storageKey, target, cancellationToken).ConfigureAwait(false);
                return false;
            }

            storageKey = target;
        }

        return await RemoveObjectAsync(storageKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the object under a primary key and each alternate pointer that still points to it.</summary>
    private async ValueTask<bool> RemoveObjectAsync(string primary, CancellationToken cancellationToken)
    {
        var item = await ReadObjectAsync(primary, cancellationToken).ConfigureAwait(false);
        if (item is not null)
        {
            foreach (var alternate in AlternateKeys(StockpileEntityType.For(item.GetType()), item))
            {
                await RemovePointerAsync(alternate, primary, cancellationToken).ConfigureAwait(false);
            }
        }

        return await RemoveAsync(primary, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RemovePointerAsync(string alternate, string primary, CancellationToken cancellationToken)
    {
        var payload = await ReadAsync(alternate, cancellationToken).ConfigureAwait(false);
        if (payload is not null && StoredPayload.IsPointer(payload) && StoredPayload.PointerTarget(payload) == primary)
        {
            await RemoveAsync(alternate, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<object?> ReadObjectAsync(string primary, CancellationToken cancellationToken)
    {
        var payload = await ReadAsync(primary, cancellationToken).ConfigureAwait(false);
        if (payload is null || StoredPayload.IsPointer(payload))
        {
            return null;
        }

        try
        {
            return StoredPayload.ReadValue(payload, typeof(object), typeof(object), Serializer);
        }
        catch (StockpileSerializationException ex)
        {
            Log.UnreadableEntry(Logger, Name, ex);
            return null;
        }
    }

    private List<string> AlternateKeys(StockpileEntityType entityType, object item)
    {
        var keys = new List<string>(entityType.Keys.Count - 1);
        for (var i = 1; i < entityType.Keys.Count; i++)
        {
            if (EntityKey.FromEntity(entityType, entityType.Keys[i], item) is { } key)
            {
                keys.Add(StorageKey(key));
            }
        }

        return keys;
    }
}
