using System.Text.Json;

namespace Stockpile.Internal.Keys;

/// <summary>
/// Writes a look-up so that another process can rebuild it: <c>{"t": canonical type, "k": key name, "v": [values]}</c>.
/// A process that has never used the type cannot hold objects of it, so reading skips types it does not know.
/// </summary>
internal static class EntityKeyWireFormat
{
    public static void Write(Utf8JsonWriter writer, EntityKey key)
    {
        writer.WriteStartObject();
        writer.WriteString("t", key.EntityType.CanonicalName);
        writer.WriteString("k", key.Key.Name);
        writer.WriteStartArray("v");
        foreach (var value in key.Values)
        {
            JsonSerializer.Serialize(writer, value, value.GetType());
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Rebuilds a look-up; <see langword="false"/> for an unknown type or key, or values that do not fit.</summary>
    public static bool TryRead(JsonElement element, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EntityKey? key)
    {
        key = null;
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("t", out var typeName) || typeName.GetString() is not { } canonicalName
            || !element.TryGetProperty("k", out var keyName) || keyName.GetString() is not { } name
            || !element.TryGetProperty("v", out var valuesElement) || valuesElement.ValueKind != JsonValueKind.Array
            || !StockpileEntityType.TryFindKnown(canonicalName, out var entityType)
            || !entityType.TryGetKey(name, out var definition)
            || valuesElement.GetArrayLength() != definition.ValueTypes.Count)
        {
            return false;
        }

        var values = new object[definition.ValueTypes.Count];
        var i = 0;
        try
        {
            foreach (var item in valuesElement.EnumerateArray())
            {
                if (item.Deserialize(definition.ValueTypes[i]) is not { } value)
                {
                    return false;
                }

                values[i++] = value;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        key = EntityKey.FromNormalized(entityType, definition, values);
        return true;
    }
}
