namespace Stockpile;

/// <summary>
/// The exception thrown when a put would send Redis a value larger than <see cref="RedisStoreOptions.MaximumValueBytes"/>.
/// Nothing of the put is sent: the shared connection, and every request on it, is unaffected.
/// </summary>
/// <remarks>The message names the store, the type, the key, the size and the limit; so do the properties.</remarks>
public sealed class RedisValueTooLargeException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="RedisValueTooLargeException"/> class.</summary>
    /// <param name="storeName">The store's name.</param>
    /// <param name="entityType">The type of the object refused.</param>
    /// <param name="key">The object's primary key.</param>
    /// <param name="size">The serialized value's size in bytes.</param>
    /// <param name="limit">The limit in bytes.</param>
    public RedisValueTooLargeException(string storeName, Type entityType, EntityKey key, long size, long limit)
        : base(Redis.ExceptionMessages.ValueTooLarge(storeName, entityType?.Name, key?.ToString(), size, limit))
    {
        ArgumentNullException.ThrowIfNull(entityType);
        ArgumentNullException.ThrowIfNull(key);
        EntityType = entityType;
        Key = key;
        Size = size;
        Limit = limit;
    }

    /// <summary>Gets the type of the object refused.</summary>
    public Type EntityType { get; }

    /// <summary>Gets the object's primary key.</summary>
    public EntityKey Key { get; }

    /// <summary>Gets the serialized value's size in bytes.</summary>
    public long Size { get; }

    /// <summary>Gets the limit in bytes (<see cref="RedisStoreOptions.MaximumValueBytes"/>).</summary>
    public long Limit { get; }
}
