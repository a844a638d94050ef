using System.Text.Json;

namespace Stockpile.Internal;

/// <summary>
/// What an outbox row asks to evict, as compact JSON: the look-ups (type, key name, values), the entity types to drop
/// whole, the changed types no cache holds by key (their tokens), and the tables whose cached queries to drop.
/// </summary>
/// <remarks>
/// Types are named by full name and assembly, and found again by any instance of the app. A type or look-up that
/// cannot be read back (the app changed meanwhile) widens the eviction: its type, or everything, is dropped whole.
/// </remarks>
internal static class OutboxPayload
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, string> s_names = new();

    public static string Write(IEnumerable<EntityKey> keys, IEnumerable<Type> types, IEnumerable<Type> untracked, IEnumerable<string> tables)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("k");
            foreach (var key in keys)
            {
                json.WriteStartArray();
                json.WriteStringValue(NameOf(key.EntityType.ClrType));
                json.WriteStringValue(key.Key.Name);
                foreach (var value in key.Values)
                {
                    JsonSerializer.Serialize(json, value, value.GetType());
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            WriteStrings(json, "t", types.Select(NameOf));
            WriteStrings(json, "u", untracked.Select(NameOf));
            WriteStrings(json, "q", tables);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads a row back into a batch of the coordinator's: its keys, types, tokens and tables.</summary>
    public static CommitBatch Read(CommitCoordinator coordinator, string payload)
    {
        var batch = new CommitBatch(coordinator, []);
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        foreach (var item in root.GetProperty("k").EnumerateArray())
        {
            var type = TypeOf(item[0].GetString()!);
            if (type is null)
            {
                batch.InvalidateAll = true;
                continue;
            }

            try
            {
                var key = StockpileEntityType.For(type).GetKey(item[1].GetString()!);
                var values = new object[key.ValueTypes.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = item[i + 2].Deserialize(key.ValueTypes[i])!;
                }

                batch.Keys.Add(EntityKey.Of(type, key.Name, values));
            }
            catch (Exception ex) when (ex is JsonException or StockpileKeyException or InvalidOperationException or ArgumentException or NotSupportedException)
            {
                batch.InvalidateTypes(type);
            }
        }

        ReadTypes(root, "t", batch, batch.Types);
        ReadTypes(root, "u", batch, batch.UntrackedTypes);
        foreach (var table in root.GetProperty("q").EnumerateArray())
        {
            batch.Tables.Add(table.GetString()!);
        }

        return batch;
    }

    private static void ReadTypes(JsonElement root, string name, CommitBatch batch, HashSet<Type> types)
    {
        foreach (var item in root.GetProperty(name).EnumerateArray())
        {
            if (TypeOf(item.GetString()!) is { } type)
            {
                types.Add(type);
            }
            else
            {
                batch.InvalidateAll = true;
            }
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    // Once per type: a commit's path names a type per key, and Assembly.GetName() builds a new AssemblyName each time.
    private static string NameOf(Type type) => s_names.GetOrAdd(type, static t => $"{t.FullName}, {t.Assembly.GetName().Name}");

    // Reflection, but only when a row is drained: never on a commit's path.
    private static Type? TypeOf(string name) => Type.GetType(name, throwOnError: false);
}
