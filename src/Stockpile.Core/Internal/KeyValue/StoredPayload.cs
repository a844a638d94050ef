using System.Buffers;
using System.Text;

namespace Stockpile.Internal.KeyValue;

/// <summary>
/// The bytes a key-value store keeps. An object: <c>'V'</c>, the length of its type name (2 bytes, big-endian), the
/// type's canonical name (see <see cref="TypeNames"/>), then the serializer's bytes. A pointer from an alternate key: <c>'P'</c>, then the primary key.
/// </summary>
internal static class StoredPayload
{
    public const byte ValueMarker = (byte)'V';
    public const byte PointerMarker = (byte)'P';

    public static byte[] Value(object item, IStockpileSerializer serializer)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteValue(buffer, item, serializer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the bytes of <see cref="Value"/> into a buffer (a pooled one, on a store's hot path).</summary>
    public static void WriteValue(IBufferWriter<byte> buffer, object item, IStockpileSerializer serializer)
    {
        var type = StockpileEntityType.EntityClrType(item.GetType()); // a proxy is stored as its entity type
        var typeName = TypeNames.CanonicalUtf8(type);
        buffer.Write([ValueMarker, (byte)(typeName.Length >> 8), (byte)typeName.Length]);
        buffer.Write(typeName);
        serializer.Serialize(buffer, item, type);
    }

    public static byte[] Pointer(string primaryKey)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(primaryKey) + 1];
        bytes[0] = PointerMarker;
        Encoding.UTF8.GetBytes(primaryKey, bytes.AsSpan(1));
        return bytes;
    }

    public static bool IsPointer(ReadOnlySpan<byte> payload) => payload.Length > 0 && payload[0] == PointerMarker;

    public static string PointerTarget(ReadOnlySpan<byte> payload) => Encoding.UTF8.GetString(payload[1..]);

    /// <summary>
    /// Reads an object filed under a key of <paramref name="keyOwner"/>; <see langword="null"/> when it is a valid
    /// object of another type than <paramref name="wanted"/> (a <c>Truck</c> where a <c>Car</c> was asked for).
    /// Only <paramref name="keyOwner"/> itself, or in a <paramref name="polymorphic"/> store a type derived from it, is
    /// ever instantiated: bytes naming any other type are refused before the serializer sees them.
    /// </summary>
    /// <exception cref="StockpileSerializationException">The bytes are not an object that key could file.</exception>
    public static object? ReadValue(ReadOnlySpan<byte> payload, Type keyOwner, Type wanted, bool polymorphic, IStockpileSerializer serializer)
    {
        var expected = keyOwner;
        if (payload.Length < 3 || payload[0] != ValueMarker)
        {
            throw new StockpileSerializationException(expected, "deserialize", "the stored bytes are not a Stockpile object.");
        }

        var nameLength = (payload[1] << 8) | payload[2];
        if (payload.Length < 3 + nameLength)
        {
            throw new StockpileSerializationException(expected, "deserialize", "the stored bytes are truncated.");
        }

        // The usual case, the key's own type, is recognized from the bytes; any other name is decoded and resolved.
        var nameBytes = payload.Slice(3, nameLength);
        var type = nameBytes.SequenceEqual(TypeNames.CanonicalUtf8(expected))
            ? expected
            : StoredTypes.Resolve(Encoding.UTF8.GetString(nameBytes), expected, polymorphic);
        if (type is null)
        {
            var name = Encoding.UTF8.GetString(nameBytes);
            var shown = name.Length <= 200 ? name : string.Concat(name.AsSpan(0, 200), "…");
            throw new StockpileSerializationException(expected, "deserialize", $"the stored object is a '{shown}', which is not a '{expected.Name}' known to this process.");
        }

        return wanted.IsAssignableFrom(type) ? serializer.Deserialize(payload[(3 + nameLength)..], type) : null;
    }
}
