using Stockpile.Internal.KeyValue;

namespace Stockpile;

public abstract partial class KeyValueObjectStore
{
    /// <inheritdoc/>
    protected override async ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        ArgumentNullException.ThrowIfNull(item);
        ThrowIfDisposed();

        // Serialize first: a failure must leave the store as it was.
        var value = StoredPayload.Value(item, Serializer);
        var primary = StorageKey(EntityKey.FromEntity(item));
        var alternates = AlternateKeys(entityType, item);
        var alternateKeys = alternates.ConvertAll(StorageKey);
        var ttl = TimeToLive(item);

        var previous = await ReadObjectAsync(primary, OwnerOf(entityType.PrimaryKey), cancellationToken).ConfigureAwait(false);
        if (previous is not null)
        {
            foreach (var old in AlternateKeys(StockpileEntityType.For(previous.GetType()), previous).ConvertAll(StorageKey).Except(alternateKeys))
            {
                await RemovePointerAsync(old, primary, cancellationToken).ConfigureAwait(false);
            }
        }

        // The newest write wins an alternate key: another object that still holds it is evicted entirely.
        var claimed = await ReadManyAsync(alternateKeys, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < claimed.Length; i++)
        {
            if (claimed[i] is { } payload && StoredPayload.IsPointer(payload) && StoredPayload.PointerTarget(payload) is var owner && owner != primary)
            {
                await EvictHolderAsync(alternates[i], owner, cancellationToken).ConfigureAwait(false);
            }
        }

        if (ttl is { } live && live <= TimeSpan.Zero)
        {
            await RemoveObjectAsync(primary, OwnerOf(entityType.PrimaryKey), cancellationToken).ConfigureAwait(false);
            return;
        }

        var writes = new List<KeyValueWrite>(alternateKeys.Count + 1) { new(primary, value, ttl) };
        var pointer = StoredPayload.Pointer(primary);
        writes.AddRange(alternateKeys.Select(a => new KeyValueWrite(a, pointer, ttl)));
        await WriteManyAsync(writes, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        var storageKey = StorageKey(key);
        if (key.Key.IsPrimary)
        {
            return await RemoveObjectAsync(storageKey, OwnerOf(key.Key), cancellationToken).ConfigureAwait(false);
        }

        var payload = await ReadAsync(storageKey, cancellationToken).ConfigureAwait(false);
        if (payload is null || !StoredPayload.IsPointer(payload))
        {
            return false;
        }

        // Only follow a pointer the object still honours: the key may now belong to nothing.
        var target = StoredPayload.PointerTarget(payload);
        var item = await ReadObjectAsync(target, OwnerOf(key.Key), cancellationToken).ConfigureAwait(false);
        if (item is null || !key.IsHeldBy(item))
        {
            await RemovePointerAsync(storageKey, target, cancellationToken).ConfigureAwait(false);
            return false;
        }

        return await RemoveObjectAsync(target, item, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evicts the object an alternate key's pointer leads to, if it still holds that key; a stale pointer is simply overwritten by the put.</summary>
    private async ValueTask EvictHolderAsync(EntityKey alternate, string holderKey, CancellationToken cancellationToken)
    {
        var holder = await ReadObjectAsync(holderKey, OwnerOf(alternate.Key), cancellationToken).ConfigureAwait(false);
        if (holder is not null && alternate.IsHeldBy(holder))
        {
            await RemoveObjectAsync(holderKey, holder, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes what a primary key holds: the object and each alternate pointer that still points to it (bytes of another type are removed alone).</summary>
    private async ValueTask<bool> RemoveObjectAsync(string primary, Type owner, CancellationToken cancellationToken) =>
        await ReadObjectAsync(primary, owner, cancellationToken).ConfigureAwait(false) is { } item
            ? await RemoveObjectAsync(primary, item, cancellationToken).ConfigureAwait(false)
            : await RemoveAsync(primary, cancellationToken).ConfigureAwait(false);

    private async ValueTask<bool> RemoveObjectAsync(string primary, object item, CancellationToken cancellationToken)
    {
        foreach (var alternate in AlternateKeys(StockpileEntityType.For(item.GetType()), item))
        {
            await RemovePointerAsync(StorageKey(alternate), primary, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Reads the object under a primary key, if it is one a key of <paramref name="owner"/> may file; anything else is <see langword="null"/> and never instantiated.</summary>
    private async ValueTask<object?> ReadObjectAsync(string primary, Type owner, CancellationToken cancellationToken)
    {
        var payload = await ReadAsync(primary, cancellationToken).ConfigureAwait(false);
        if (payload is null || StoredPayload.IsPointer(payload))
        {
            return null;
        }

        try
        {
            return StoredPayload.ReadValue(payload, owner, owner, IsPolymorphic, Serializer);
        }
        catch (StockpileSerializationException ex)
        {
            Log.UnreadableEntry(Logger, Name, ex);
            return null;
        }
    }

    /// <summary>The type whose objects a key files: the key's declaring type in a polymorphic store, else the entity type itself.</summary>
    internal Type OwnerOf(KeyDefinition key) => IsPolymorphic ? key.DeclaringType : key.EntityType;

    private static List<EntityKey> AlternateKeys(StockpileEntityType entityType, object item)
    {
        var keys = new List<EntityKey>(entityType.Keys.Count - 1);
        for (var i = 1; i < entityType.Keys.Count; i++)
        {
            if (EntityKey.FromEntity(entityType, entityType.Keys[i], item) is { } key)
            {
                keys.Add(key);
            }
        }

        return keys;
    }
}
