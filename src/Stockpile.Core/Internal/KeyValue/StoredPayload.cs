using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace Stockpile.Internal.KeyValue;

/// <summary>
/// The bytes a key-value store keeps. An object of a type that declares its own primary key: <c>'O'</c>, then the
/// serializer's bytes (every key it is filed under names its type: see <see cref="IsFiledByOwnType"/>). Any other
/// object (a type whose primary key is declared on a base type, stored under that base type's keys in a polymorphic
/// store): <c>'V'</c>, the length of its type name (2 bytes, big-endian), the type's canonical name (see
/// <see cref="TypeNames"/>), then the serializer's bytes. A pointer from an alternate key: <c>'P'</c>, then the primary key.
/// </summary>
/// <remarks>
/// The <c>'V'</c> form was once written for every object; an own type's object in that form still reads the same.
/// </remarks>
internal static class StoredPayload
{
    public const byte ValueMarker = (byte)'V';
    public const byte OwnTypeMarker = (byte)'O';
    public const byte PointerMarker = (byte)'P';

    private static readonly byte[] s_ownTypeHeader = [OwnTypeMarker];

    // One entry per type the program writes or reads objects of (key owners): bounded by the program's own types.
    private static readonly ConcurrentDictionary<Type, byte[]> s_headers = new();

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
        buffer.Write(HeaderOf(type));
        serializer.Serialize(buffer, item, type);
    }

    /// <summary>
    /// Whether objects of <paramref name="type"/> are stored without their type name: when the type declares its own
    /// primary key, every key an object of it is filed under names the type itself (in a polymorphic store too, where
    /// keys name the type that declares them), so the name in the value would only repeat the key's.
    /// </summary>
    public static bool IsFiledByOwnType(Type type) => ReferenceEquals(HeaderOf(type), s_ownTypeHeader);

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
    /// ever instantiated: bytes naming any other type are refused before the serializer sees them, and bytes naming no
    /// type are <paramref name="keyOwner"/>'s only when it is a type whose objects are stored that way (<see cref="IsFiledByOwnType"/>).
    /// </summary>
    /// <exception cref="StockpileSerializationException">The bytes are not an object that key could file.</exception>
    public static object? ReadValue(ReadOnlySpan<byte> payload, Type keyOwner, Type wanted, bool polymorphic, IStockpileSerializer serializer)
    {
        var expected = keyOwner;
        if (payload.Length >= 1 && payload[0] == OwnTypeMarker)
        {
            // Under an alternate key declared on a derived type (a Car's Vin), the object filed is of the type that
            // declares the primary key (an Automobile): the key's owner never files one without its name.
            if (!IsFiledByOwnType(expected))
            {
                throw new StockpileSerializationException(expected, "deserialize", $"the stored object names no type, and a '{expected.Name}' key only files objects that name theirs.");
            }

            return wanted.IsAssignableFrom(expected) ? Deserialize(payload[1..], expected, serializer) : null;
        }

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

        return wanted.IsAssignableFrom(type) ? Deserialize(payload[(3 + nameLength)..], type, serializer) : null;
    }

    /// <summary>
    /// Reads the serializer's bytes of an object: JSON <c>null</c> (which no put writes) is refused whatever the
    /// serializer answers for it, as the default serializer refuses it, so it is removed like any unreadable value.
    /// </summary>
    /// <exception cref="StockpileSerializationException">The bytes are not an object of <paramref name="type"/>.</exception>
    public static object Deserialize(ReadOnlySpan<byte> bytes, Type type, IStockpileSerializer serializer) =>
        serializer.Deserialize(bytes, type) ?? throw new StockpileSerializationException(type, "deserialize", "the payload is JSON null.");

    /// <summary>The bytes before the serializer's for objects of a type, made once per type.</summary>
    private static byte[] HeaderOf(Type type) =>
        s_headers.TryGetValue(type, out var header) ? header : s_headers.GetOrAdd(type, MakeHeader(type));

    private static byte[] MakeHeader(Type type)
    {
        bool ownPrimaryKey;
        try
        {
            ownPrimaryKey = StockpileEntityType.For(type).PrimaryKey.DeclaringType == type;
        }
        catch (StockpileKeyException)
        {
            ownPrimaryKey = false; // not an entity type: its objects keep their name
        }

        if (ownPrimaryKey)
        {
            return s_ownTypeHeader;
        }

        var name = TypeNames.CanonicalUtf8(type);
        return [ValueMarker, (byte)(name.Length >> 8), (byte)name.Length, .. name];
    }
}
