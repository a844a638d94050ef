namespace Stockpile;

/// <summary>
/// The contract every Stockpile store speaks: put, get and delete objects by any of their declared keys, one at a
/// time or in batches.
/// </summary>
/// <remarks>
/// <para>Public methods check their arguments and then call the protected <c>…CoreAsync</c> members, which a store
/// implements. The batch members have defaults that loop over the single-item members; a store that can do a batch in
/// one round trip overrides them.</para>
/// <para>A get returns <see langword="null"/> on a miss. A batch get returns one result per look-up, in the order of
/// the look-ups, with <see langword="null"/> for each miss.</para>
/// <para>Objects are found by the type they were stored as. A <see cref="IsPolymorphic">polymorphic</see> store also
/// finds them as any base type that declares the key they are looked up by.</para>
/// </remarks>
public abstract partial class ObjectStore
{
    /// <summary>Initializes a new instance of the <see cref="ObjectStore"/> class.</summary>
    /// <param name="name">The store's name in logs and metrics, e.g. "memory".</param>
    /// <param name="isPolymorphic">Whether objects are found as base types that declare the key.</param>
    protected ObjectStore(string name, bool isPolymorphic = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        IsPolymorphic = isPolymorphic;
    }

    /// <summary>Gets the store's name in logs and metrics.</summary>
    public string Name { get; }

    /// <summary>Gets a value indicating whether the store finds objects as base types that declare the key looked up by.</summary>
    /// <remarks>Without it, a <c>Car</c> put in the store is not found by <c>GetAsync&lt;Automobile&gt;</c>.</remarks>
    public bool IsPolymorphic { get; }

    /// <summary>Gets an object by any of its keys.</summary>
    /// <typeparam name="T">The type to get; the key may have been made for a base or derived type that shares it.</typeparam>
    /// <param name="key">The look-up.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The object, or <see langword="null"/> on a miss.</returns>
    /// <exception cref="StockpileKeyException"><typeparamref name="T"/> does not declare the key.</exception>
    public ValueTask<T?> GetAsync<T>(EntityKey key, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        return Cast<T>(GetCoreAsync(Target<T>(key), cancellationToken));
    }

    /// <summary>Gets an object by its primary key value.</summary>
    /// <typeparam name="T">The type to get.</typeparam>
    /// <typeparam name="TKey">The primary key's type; generic so a hit allocates nothing.</typeparam>
    /// <param name="primaryKey">The primary key value; for a composite key, a tuple.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The object, or <see langword="null"/> on a miss.</returns>
    /// <exception cref="StockpileKeyException">The value does not fit the primary key.</exception>
    public ValueTask<T?> GetAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken = default)
        where T : class
        where TKey : notnull
    {
        if (primaryKey is null)
        {
            throw new StockpileKeyException(typeof(T), StockpileEntityType.For<T>().PrimaryKey.Name, "the primary key value is null.");
        }

        return GetByPrimaryKeyCoreAsync<T, TKey>(primaryKey, cancellationToken);
    }

    /// <summary>Gets many objects in one call.</summary>
    /// <typeparam name="T">The type to get.</typeparam>
    /// <param name="keys">The look-ups; they may use different keys of <typeparamref name="T"/>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One result per look-up, in order, <see langword="null"/> for each miss.</returns>
    public async ValueTask<IReadOnlyList<T?>> GetManyAsync<T>(IEnumerable<EntityKey> keys, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(keys);
        var targeted = keys.Select(k => Target<T>(k ?? throw new ArgumentException("A look-up in the batch is null.", nameof(keys)))).ToArray();
        return targeted.Length == 0 ? [] : await GetManyTargetedAsync<T>(targeted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets many objects by their primary key values in one call.</summary>
    /// <typeparam name="T">The type to get.</typeparam>
    /// <typeparam name="TKey">The primary key's type.</typeparam>
    /// <param name="primaryKeys">The primary key values.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One result per value, in order, <see langword="null"/> for each miss.</returns>
    public ValueTask<IReadOnlyList<T?>> GetManyAsync<T, TKey>(IEnumerable<TKey> primaryKeys, CancellationToken cancellationToken = default)
        where T : class
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(primaryKeys);
        var list = primaryKeys as IReadOnlyList<TKey> ?? [.. primaryKeys];
        return list.Count == 0 ? new([]) : GetManyByPrimaryKeyCoreAsync<T, TKey>(list, cancellationToken);
    }

    /// <summary>Gets many objects by look-ups already targeted at <typeparamref name="T"/>, at least one.</summary>
    private async ValueTask<IReadOnlyList<T?>> GetManyTargetedAsync<T>(EntityKey[] targeted, CancellationToken cancellationToken)
        where T : class
    {
        var found = await GetManyCoreAsync(targeted, cancellationToken).ConfigureAwait(false);
        var results = new T?[targeted.Length];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = found[i] as T;
        }

        return results;
    }

    /// <summary>Puts an object, filing it under each of its keys; an object with the same primary key is replaced.</summary>
    /// <typeparam name="T">The object's type.</typeparam>
    /// <param name="item">The object.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the object is stored.</returns>
    /// <exception cref="StockpileKeyException">The object's primary key value is null.</exception>
    public ValueTask PutAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(item);
        var type = item.GetType() == typeof(T) ? StockpileEntityType.For<T>() : StockpileEntityType.For(item.GetType());
        EntityKey.EnsurePrimaryKey(type, item);
        return PutCoreAsync(type, item, cancellationToken);
    }

    /// <summary>Puts many objects. Every object is checked before any is written.</summary>
    /// <typeparam name="T">The objects' type.</typeparam>
    /// <param name="items">The objects.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the objects are stored.</returns>
    /// <exception cref="StockpileKeyException">An object's primary key value is null; nothing was written.</exception>
    public ValueTask PutManyAsync<T>(IEnumerable<T> items, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.Select(static i => (object)(i ?? throw new ArgumentException("An object in the batch is null; nothing was written.", nameof(items)))).ToArray();
        foreach (var item in list)
        {
            EntityKey.EnsurePrimaryKey(StockpileEntityType.For(item.GetType()), item);
        }

        return list.Length == 0 ? default : PutManyCoreAsync(list, cancellationToken);
    }

    /// <summary>Deletes an object by any of its keys, with every entry it is filed under.</summary>
    /// <param name="key">The look-up.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when the store held the object.</returns>
    public ValueTask<bool> DeleteAsync(EntityKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DeleteCoreAsync(key, cancellationToken);
    }

    /// <summary>Deletes an object by its primary key.</summary>
    /// <typeparam name="T">The object's type.</typeparam>
    /// <param name="item">The object.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when the store held the object.</returns>
    public ValueTask<bool> DeleteAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(item);
        return DeleteCoreAsync(EntityKey.FromEntity(item), cancellationToken);
    }

    /// <summary>Deletes many objects by any of their keys.</summary>
    /// <param name="keys">The look-ups.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>How many of the objects the store held.</returns>
    public ValueTask<int> DeleteManyAsync(IEnumerable<EntityKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.Select(static k => k ?? throw new ArgumentException("A look-up in the batch is null.", nameof(keys))).ToArray();
        return list.Length == 0 ? new ValueTask<int>(0) : DeleteManyCoreAsync(list, cancellationToken);
    }

    /// <summary>Removes every object of a type, or every object, that this store holds.</summary>
    /// <param name="entityType">The type to clear, or <see langword="null"/> for all types.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the store is cleared.</returns>
    /// <exception cref="NotSupportedException">The store cannot be cleared (a database is never cleared by Stockpile).</exception>
    public ValueTask ClearAsync(Type? entityType = null, CancellationToken cancellationToken = default) =>
        ClearCoreAsync(entityType is null ? null : StockpileEntityType.For(entityType), cancellationToken);

    private static EntityKey Target<T>(EntityKey key) =>
        key.EntityType.ClrType == typeof(T) ? key : key.Retarget(StockpileEntityType.For<T>());

    private static ValueTask<T?> Cast<T>(ValueTask<object?> pending)
        where T : class
    {
        return pending.IsCompletedSuccessfully ? new ValueTask<T?>(pending.Result as T) : Await(pending);

        static async ValueTask<T?> Await(ValueTask<object?> pending) => await pending.ConfigureAwait(false) as T;
    }
}
