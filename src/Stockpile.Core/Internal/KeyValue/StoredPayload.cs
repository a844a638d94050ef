using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace Stockpile.Internal.KeyValue;

/// <summary>
/// The bytes a key-value store keeps. An object: <c>'V'</c>, the length of its type name (2 bytes, big-endian), the
/// type name, then the serializer's bytes. A pointer from an alternate key: <c>'P'</c>, then the primary key.
/// </summary>
internal static class StoredPayload
{
    public const byte ValueMarker = (byte)'V';
    public const byte PointerMarker = (byte)'P';

    private static readonly ConcurrentDictionary<string, Type?> s_types = new(StringComparer.Ordinal);

    public static byte[] Value(object item, IStockpileSerializer serializer)
    {
        var type = StockpileEntityType.For(item.GetType()).ClrType; // a proxy is stored as its entity type
        var typeName = Encoding.UTF8.GetBytes(NameOf(type));
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write([ValueMarker, (byte)(typeName.Length >> 8), (byte)typeName.Length]);
        buffer.Write(typeName);
        serializer.Serialize(buffer, item, type);
        return buffer.WrittenSpan.ToArray();
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
    /// </summary>
    /// <exception cref="StockpileSerializationException">The bytes are not an object that key could file.</exception>
    public static object? ReadValue(ReadOnlySpan<byte> payload, Type keyOwner, Type wanted, IStockpileSerializer serializer)
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

        var name = Encoding.UTF8.GetString(payload.Slice(3, nameLength));
        var type = s_types.GetOrAdd(name, static n => Type.GetType(n, throwOnError: false));
        if (type is null || !expected.IsAssignableFrom(type))
        {
            throw new StockpileSerializationException(expected, "deserialize", $"the stored object is a '{name}', which is not a '{expected.Name}' known to this process.");
        }

        return wanted.IsAssignableFrom(type) ? serializer.Deserialize(payload[(3 + nameLength)..], type) : null;
    }

    private static string NameOf(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
