using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stockpile;

/// <summary>The default serializer: System.Text.Json, with your options or a source-generated context.</summary>
public sealed class SystemTextJsonStockpileSerializer : IStockpileSerializer
{
    private readonly JsonSerializerOptions _options;

    /// <summary>Initializes a new instance of the <see cref="SystemTextJsonStockpileSerializer"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for <see cref="JsonSerializerDefaults.General"/>. To use a
    /// source-generated context, pass its <c>Options</c> or set <see cref="JsonSerializerOptions.TypeInfoResolver"/>.</param>
    public SystemTextJsonStockpileSerializer(JsonSerializerOptions? options = null)
    {
        // A copy, so the caller's options are neither frozen nor changed; strings holding a lone surrogate are refused
        // rather than silently written as U+FFFD (a converter the caller registered for them comes first and wins).
        _options = options is null ? new JsonSerializerOptions(JsonSerializerDefaults.General) : new JsonSerializerOptions(options);
        _options.Converters.Add(new Internal.Serialization.WellFormedTextConverter());
        _options.Converters.Add(new Internal.Serialization.WellFormedCharConverter());
        _options.MakeReadOnly(populateMissingResolver: true);
    }

    /// <summary>Initializes a new instance of the <see cref="SystemTextJsonStockpileSerializer"/> class over a source-generated context.</summary>
    /// <param name="context">The context that knows the stored types.</param>
    public SystemTextJsonStockpileSerializer(JsonSerializerContext context)
        : this(context is null ? throw new ArgumentNullException(nameof(context)) : context.Options)
    {
    }

    /// <summary>Gets a shared instance with default options.</summary>
    public static SystemTextJsonStockpileSerializer Default { get; } = new();

    /// <inheritdoc/>
    public void Serialize(IBufferWriter<byte> destination, object value, Type type)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            // Serialize to a private buffer first, so a failure part-way leaves the destination untouched. Any failure is
            // wrapped, a getter of the object's own that throws included, so callers see which stored type failed.
            var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type, _options);
            destination.Write(bytes);
        }
        catch (Exception ex) when (ex is not (StockpileSerializationException or OutOfMemoryException))
        {
            throw new StockpileSerializationException(type, "serialize", ex.Message, ex);
        }
    }

    /// <inheritdoc/>
    public object Deserialize(ReadOnlySpan<byte> source, Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            return JsonSerializer.Deserialize(source, type, _options)
                ?? throw new StockpileSerializationException(type, "deserialize", "the payload is JSON null.");
        }
        catch (Exception ex) when (ex is not (StockpileSerializationException or OutOfMemoryException))
        {
            throw new StockpileSerializationException(type, "deserialize", ex.Message, ex);
        }
    }
}
