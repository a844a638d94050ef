using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stockpile.Internal;

/// <summary>
/// A cached query's result as the cache keeps it. The memory tier keeps the instance (the type is immutable to the
/// cache: the result inside is never handed out, only copies of it); a shared tier keeps its JSON, cycles (an
/// <c>Include</c> and its inverse navigation) cut.
/// </summary>
[ImmutableObject(true)]
[JsonConverter(typeof(CachedQueryResultConverterFactory))]
internal sealed class CachedQueryResult<T>(T value, bool shared = true)
{
    public T Value { get; } = value;

    /// <summary>Gets a value indicating whether the instance is kept by a cache (a copy is handed out) or was just read from bytes (it is handed out).</summary>
    public bool Shared { get; } = shared;

    /// <summary>The result for one caller: a copy unless this instance was made for this read alone.</summary>
    public T Take() => Shared ? ResultCopier<T>.Copy(Value) : Value;
}

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
