using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stockpile.Internal;

/// <summary>Writes a <see cref="CachedQueryResult{T}"/> as its value's JSON, whatever options the cache's serializer has.</summary>
internal sealed class CachedQueryResultConverterFactory : JsonConverterFactory
{
    internal static readonly JsonSerializerOptions ValueOptions = new(JsonSerializerDefaults.General)
    {
        ReferenceHandler = ReferenceHandler.IgnoreCycles,
        IncludeFields = true,
    };

    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(CachedQueryResult<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()))!;

    private sealed class Converter<T> : JsonConverter<CachedQueryResult<T>>
    {
        public override CachedQueryResult<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(JsonSerializer.Deserialize<T>(ref reader, ValueOptions)!, shared: false);

        public override void Write(Utf8JsonWriter writer, CachedQueryResult<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Value, ValueOptions);
    }
}
