using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stockpile.Internal.Serialization;

/// <summary>
/// Writes strings as System.Text.Json does, but refuses one holding a lone surrogate (a UTF-16 code unit U+D800–U+DFFF
/// outside a pair): JSON cannot carry it, and System.Text.Json would silently write U+FFFD instead, so the value read
/// back would differ from the one stored (and an object could come back without the key it was stored under).
/// </summary>
internal sealed class WellFormedTextConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Checked(value));

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString()!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WritePropertyName(Checked(value));

    /// <exception cref="JsonException">The text holds a lone surrogate.</exception>
    internal static string Checked(string value) =>
        Utf16Text.IsWellFormed(value) ? value : throw new JsonException(ExceptionMessages.LoneSurrogate);
}
