namespace Stockpile;

/// <summary>The exception thrown when an object cannot be serialized or deserialized. Nothing is written when it is thrown.</summary>
public sealed class StockpileSerializationException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="StockpileSerializationException"/> class.</summary>
    /// <param name="objectType">The type being serialized or deserialized.</param>
    /// <param name="operation">"serialize" or "deserialize".</param>
    /// <param name="reason">Why it failed.</param>
    /// <param name="innerException">The serializer's own exception.</param>
    public StockpileSerializationException(Type objectType, string operation, string reason, Exception? innerException = null)
        : base(Internal.ExceptionMessages.Serialization(objectType, operation, reason), innerException)
    {
        ObjectType = objectType;
        Operation = operation;
    }

    /// <summary>Gets the type being serialized or deserialized.</summary>
    public Type ObjectType { get; }

    /// <summary>Gets the operation that failed: "serialize" or "deserialize".</summary>
    public string Operation { get; }
}
