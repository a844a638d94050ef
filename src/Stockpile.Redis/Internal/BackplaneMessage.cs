using System.Buffers;
using System.Text.Json;
using Stockpile.Internal.Keys;

namespace Stockpile.Redis.Internal;

/// <summary>
/// What the backplane sends: <c>{"origin": instance, "evict": [look-ups]}</c>, <c>{"origin": instance, "clear":
/// canonical type name}</c>, <c>{"origin": instance, "clearAll": true}</c> or <c>{"origin": instance, "removeTag": tag}</c>.
/// Look-ups use <see cref="EntityKeyWireFormat"/>.
/// </summary>
internal sealed class BackplaneMessage
{
    private BackplaneMessage(Guid origin, IReadOnlyList<EntityKey>? evict, string? clearType, bool clearAll, string? removeTag = null)
    {
        Origin = origin;
        Evict = evict;
        ClearType = clearType;
        ClearAll = clearAll;
        RemoveTag = removeTag;
    }

    /// <summary>Gets the entity tag whose entities to remove; <see langword="null"/> for other messages.</summary>
    public string? RemoveTag { get; }

    public Guid Origin { get; }

    /// <summary>Gets the look-ups to evict, of the types this process knows; <see langword="null"/> for a clear.</summary>
    public IReadOnlyList<EntityKey>? Evict { get; }

    /// <summary>Gets the canonical name of the type to clear.</summary>
    public string? ClearType { get; }

    public bool ClearAll { get; }

    public static byte[] EncodeEvict(Guid origin, IEnumerable<EntityKey> keys) => Encode(origin, writer =>
    {
        writer.WriteStartArray("evict");
        foreach (var key in keys)
        {
            EntityKeyWireFormat.Write(writer, key);
        }

        writer.WriteEndArray();
    });

    public static byte[] EncodeClear(Guid origin, Type? entityType) => Encode(origin, writer =>
    {
        if (entityType is null)
        {
            writer.WriteBoolean("clearAll", true);
        }
        else
        {
            writer.WriteString("clear", StockpileEntityType.For(entityType).CanonicalName);
        }
    });

    public static byte[] EncodeRemoveTag(Guid origin, string tag) => Encode(origin, writer => writer.WriteString("removeTag", tag));

    /// <summary>
    /// Reads the origin a message names first (every message <see cref="Encode"/> writes does), without reading the
    /// rest of it; <see langword="false"/> when the message does not start with one.
    /// </summary>
    public static bool TryReadLeadingOrigin(ReadOnlySpan<byte> bytes, out Guid origin)
    {
        origin = default;
        try
        {
            var reader = new Utf8JsonReader(bytes);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("origin"u8)
                && reader.Read() && reader.TokenType == JsonTokenType.String && reader.TryGetGuid(out origin);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads a message; <see langword="null"/> when it is not one.</summary>
    public static BackplaneMessage? TryDecode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("origin", out var originElement)
                || !originElement.TryGetGuid(out var origin))
            {
                return null;
            }

            if (root.TryGetProperty("evict", out var evict) && evict.ValueKind == JsonValueKind.Array)
            {
                var keys = new List<EntityKey>(evict.GetArrayLength());
                foreach (var element in evict.EnumerateArray())
                {
                    if (EntityKeyWireFormat.TryRead(element, out var key))
                    {
                        keys.Add(key);
                    }
                }

                return new BackplaneMessage(origin, keys, null, false);
            }

            if (root.TryGetProperty("removeTag", out var removeTag) && removeTag.ValueKind == JsonValueKind.String && removeTag.GetString() is { Length: > 0 } tag)
            {
                return new BackplaneMessage(origin, null, null, false, tag);
            }

            if (root.TryGetProperty("clear", out var clear) && clear.GetString() is { } typeName)
            {
                return new BackplaneMessage(origin, null, typeName, false);
            }

            return root.TryGetProperty("clearAll", out var all) && all.ValueKind == JsonValueKind.True
                ? new BackplaneMessage(origin, null, null, true)
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static byte[] Encode(Guid origin, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("origin", origin);
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
