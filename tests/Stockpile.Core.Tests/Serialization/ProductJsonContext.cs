using System.Text.Json.Serialization;
using Stockpile.Testing.Entities;

namespace Stockpile.Tests.Serialization;

/// <summary>A source-generated context that knows only <see cref="Product"/>, writing camel-case names so its use shows in the bytes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Product))]
internal sealed partial class ProductJsonContext : JsonSerializerContext;
