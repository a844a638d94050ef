namespace Stockpile;

/// <summary>One write a <see cref="KeyValueObjectStore"/> asks of its backing store.</summary>
/// <param name="Key">The full key, prefix included.</param>
/// <param name="Value">The bytes.</param>
/// <param name="TimeToLive">How long to keep them; <see langword="null"/> for ever.</param>
public readonly record struct KeyValueWrite(string Key, ReadOnlyMemory<byte> Value, TimeSpan? TimeToLive);
