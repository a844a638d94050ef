using System.Buffers;

namespace Stockpile;

/// <summary>Turns objects into bytes and back, for stores that keep bytes (Redis) or copies.</summary>
/// <remarks>Implementations must be thread-safe. They raise <see cref="StockpileSerializationException"/> on failure.</remarks>
public interface IStockpileSerializer
{
    /// <summary>Writes an object.</summary>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="value">The object.</param>
    /// <param name="type">The type to write it as: its runtime type.</param>
    /// <exception cref="StockpileSerializationException">The object cannot be written.</exception>
    void Serialize(IBufferWriter<byte> destination, object value, Type type);

    /// <summary>Reads an object.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="type">The type to read.</param>
    /// <returns>The object.</returns>
    /// <exception cref="StockpileSerializationException">The bytes cannot be read as <paramref name="type"/>.</exception>
    object Deserialize(ReadOnlySpan<byte> source, Type type);
}
