namespace Stockpile;

/// <summary>
/// The exception thrown when Stockpile and an EF Core model disagree: an entity type is not mapped by the
/// <see cref="Microsoft.EntityFrameworkCore.DbContext"/>, or its declared <see cref="StockpileKeyAttribute">keys</see>
/// do not match the model's primary key, alternate keys and unique indexes.
/// </summary>
/// <remarks>It is a configuration error: the store throws it when it is built, the interceptor on the first save that meets the type.</remarks>
public sealed class StockpileMappingException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="StockpileMappingException"/> class.</summary>
    /// <param name="entityType">The entity type concerned.</param>
    /// <param name="contextType">The <see cref="Microsoft.EntityFrameworkCore.DbContext"/> type whose model was read.</param>
    /// <param name="keyName">The key concerned, if any.</param>
    /// <param name="reason">What does not match.</param>
    public StockpileMappingException(Type entityType, Type contextType, string? keyName, string reason)
        : base(Internal.EfExceptionMessages.Mapping(entityType, contextType, keyName, reason))
    {
        EntityType = entityType;
        ContextType = contextType;
        KeyName = keyName;
        Reason = reason;
    }

    /// <summary>Gets the entity type concerned.</summary>
    public Type EntityType { get; }

    /// <summary>Gets the <see cref="Microsoft.EntityFrameworkCore.DbContext"/> type whose model was read.</summary>
    public Type ContextType { get; }

    /// <summary>Gets the name of the key concerned, or <see langword="null"/> when the problem is not about one key.</summary>
    public string? KeyName { get; }

    /// <summary>Gets the reason, without the type and key.</summary>
    public string Reason { get; }
}
