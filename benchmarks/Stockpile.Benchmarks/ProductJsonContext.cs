using System.Text.Json.Serialization;

namespace Stockpile.Benchmarks;

/// <summary>A source-generated System.Text.Json context for <see cref="Product"/>, to compare its deserialization with the reflection-based default.</summary>
[JsonSerializable(typeof(Product))]
internal sealed partial class ProductJsonContext : JsonSerializerContext;
