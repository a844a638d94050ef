namespace Stockpile.Internal.Caching;

/// <summary>
/// What a tier held for a key read before its value is made (<see cref="CacheTier.ReadForMakeAsync"/>), and the mark the
/// made value's write hands back (<see cref="CacheTier.SetUnlessWrittenSinceAsync"/>): opaque to the cache, it lets a
/// shared tier tell whether any instance wrote the key since the read.
/// </summary>
/// <param name="Entry">The entry read, or <see langword="null"/>.</param>
/// <param name="Mark">The tier's mark of the key's state at the read; <see langword="null"/> when the tier keeps none.</param>
internal readonly record struct CacheRead(CacheEntry? Entry, object? Mark);
