using System.ComponentModel;
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
