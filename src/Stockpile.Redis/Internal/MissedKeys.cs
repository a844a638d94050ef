namespace Stockpile.Redis.Internal;

/// <summary>A copy of a <see cref="MissedKeySet{T}"/>: the keys, whether it overflowed, and up to which addition.</summary>
internal sealed record MissedKeys<T>(IReadOnlyList<T> Keys, bool Overflowed, long Sequence);
