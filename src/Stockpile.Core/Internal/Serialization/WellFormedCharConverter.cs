using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stockpile.Internal.Serialization;

/// <summary>Writes a <see cref="char"/> as System.Text.Json does, but refuses a surrogate, which it would write as U+FFFD (see <see cref="WellFormedTextConverter"/>).</summary>
internal sealed class WellFormedCharConverter : JsonConverter<char>
{
    public override char Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is [var c] ? c : throw new JsonException("A char is one UTF-16 code unit.");

    public override void Write(Utf8JsonWriter writer, char value, JsonSerializerOptions options) =>
        writer.WriteStringValue(char.IsSurrogate(value) ? throw new JsonException(ExceptionMessages.LoneSurrogate) : value.ToString());
}
