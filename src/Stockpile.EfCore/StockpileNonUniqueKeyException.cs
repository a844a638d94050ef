namespace Stockpile;

/// <summary>The exception thrown when a look-up by a key that Stockpile treats as unique matches more than one row.</summary>
/// <remarks>
/// The EF Core model declares the key unique, but the database does not enforce it (no unique index was created, or the
/// collation folds values the key tells apart). The message names the type and the key, never the values; the values
/// are in <see cref="Key"/>.
/// </remarks>
public sealed class StockpileNonUniqueKeyException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="StockpileNonUniqueKeyException"/> class.</summary>
    /// <param name="key">The look-up that matched more than one row.</param>
    public StockpileNonUniqueKeyException(EntityKey key)
        : base(Internal.EfExceptionMessages.NonUnique(key ?? throw new ArgumentNullException(nameof(key))))
    {
        Key = key;
    }

    /// <summary>Gets the look-up that matched more than one row.</summary>
    public EntityKey Key { get; }

    /// <summary>Gets the entity type looked up.</summary>
    public Type EntityType => Key.EntityType.ClrType;

    /// <summary>Gets the name of the key looked up by.</summary>
    public string KeyName => Key.Key.Name;
}
