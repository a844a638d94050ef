namespace Stockpile;

public abstract partial class ObjectStore
{
    /// <summary>Gets an object by a look-up already checked and targeted at the requested type.</summary>
    /// <param name="key">The look-up.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The object, or <see langword="null"/>; the caller discards an object not of the requested type.</returns>
    protected abstract ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken);

    /// <summary>Gets an object by its primary key value. The default makes an <see cref="EntityKey"/>; a store with a faster path overrides it.</summary>
    /// <typeparam name="T">The type to get.</typeparam>
    /// <typeparam name="TKey">The primary key's type.</typeparam>
    /// <param name="primaryKey">The primary key value.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The object, or <see langword="null"/> on a miss.</returns>
    protected virtual ValueTask<T?> GetByPrimaryKeyCoreAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull
        => Cast<T>(GetCoreAsync(EntityKey.For<T>(primaryKey), cancellationToken));

    /// <summary>Gets many objects by their primary key values. The default makes an <see cref="EntityKey"/> per value; a store with a faster path overrides it.</summary>
    /// <typeparam name="T">The type to get.</typeparam>
    /// <typeparam name="TKey">The primary key's type.</typeparam>
    /// <param name="primaryKeys">The primary key values, at least one (a null one is refused with a <see cref="StockpileKeyException"/>).</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One result per value, in order, <see langword="null"/> for each miss.</returns>
    protected virtual ValueTask<IReadOnlyList<T?>> GetManyByPrimaryKeyCoreAsync<T, TKey>(IReadOnlyList<TKey> primaryKeys, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(primaryKeys);

        // The look-ups are made of T already: one array, no second pass to target them.
        var keys = new EntityKey[primaryKeys.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = EntityKey.For<T>(primaryKeys[i]!);
        }

        return GetManyTargetedAsync<T>(keys, cancellationToken);
    }

    /// <summary>Gets many objects. The default calls <see cref="GetCoreAsync"/> once per look-up.</summary>
    /// <param name="keys">The look-ups, at least one.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One result per look-up, in order.</returns>
    protected virtual async ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var results = new object?[keys.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = await GetCoreAsync(keys[i], cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>Puts an object whose primary key is known to be set.</summary>
    /// <param name="entityType">The keys of the object's runtime type.</param>
    /// <param name="item">The object.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the object is stored.</returns>
    protected abstract ValueTask PutCoreAsync(StockpileEntityType entityType, object item, CancellationToken cancellationToken);

    /// <summary>Puts many objects. The default calls <see cref="PutCoreAsync"/> once per object.</summary>
    /// <param name="items">The objects, at least one, each with its primary key set.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the objects are stored.</returns>
    protected virtual async ValueTask PutManyCoreAsync(IReadOnlyList<object> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items)
        {
            await PutCoreAsync(StockpileEntityType.For(item.GetType()), item, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes an object by any of its keys, with every entry it is filed under.</summary>
    /// <param name="key">The look-up.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when the store held the object.</returns>
    protected abstract ValueTask<bool> DeleteCoreAsync(EntityKey key, CancellationToken cancellationToken);

    /// <summary>Deletes many objects. The default calls <see cref="DeleteCoreAsync"/> once per look-up.</summary>
    /// <param name="keys">The look-ups, at least one.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>How many objects the store held.</returns>
    protected virtual async ValueTask<int> DeleteManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var deleted = 0;
        foreach (var key in keys)
        {
            if (await DeleteCoreAsync(key, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>Removes every object of a type, or every object. The default throws <see cref="NotSupportedException"/>.</summary>
    /// <param name="entityType">The type, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the store is cleared.</returns>
    protected virtual ValueTask ClearCoreAsync(StockpileEntityType? entityType, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"Store '{Name}' ({GetType().Name}) cannot be cleared.");
}
