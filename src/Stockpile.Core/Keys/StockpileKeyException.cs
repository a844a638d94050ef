namespace Stockpile;

/// <summary>
/// The exception thrown when an entity type's keys are declared wrongly, or when a key or an object handed to a store
/// does not fit the declared keys.
/// </summary>
/// <remarks>The message names the type, the key and the reason; so do the properties, for code that handles it.</remarks>
public sealed class StockpileKeyException : ArgumentException
{
    /// <summary>Initializes a new instance of the <see cref="StockpileKeyException"/> class.</summary>
    /// <param name="entityType">The entity type concerned.</param>
    /// <param name="keyName">The key concerned, if any.</param>
    /// <param name="reason">Why the key or the object was refused.</param>
    public StockpileKeyException(Type? entityType, string? keyName, string reason)
        : base(Internal.ExceptionMessages.Key(entityType, keyName, reason))
    {
        EntityType = entityType;
        KeyName = keyName;
        Reason = reason;
    }

    /// <summary>Gets the entity type concerned.</summary>
    public Type? EntityType { get; }

    /// <summary>Gets the name of the key concerned, or <see langword="null"/> when the problem is not about one key.</summary>
    public string? KeyName { get; }

    /// <summary>Gets the reason, without the type and key.</summary>
    public string Reason { get; }
}
