namespace Stockpile.Internal.Caching;

/// <summary>
/// One cached value as a tier keeps it: the instance (immutable types; a private copy of flat mutable ones) or its serialized bytes, when it expires, and the
/// versions its tags had when it was written.
/// </summary>
internal sealed class CacheEntry(object? instance, byte[]? bytes, DateTimeOffset? expiresAt, CacheDeadline deadline, TagStamp[]? tags, Func<object, object>? copier = null)
{
    /// <summary>
    /// Gets the copy every read makes of <see cref="Instance"/> when it is the cache's private copy of a flat mutable
    /// value (<see cref="CacheValues.CopierOf"/>); <see langword="null"/> when the instance is handed out as it is.
    /// </summary>
    public Func<object, object>? Copier { get; } = copier;

    /// <summary>
    /// Gets the instance a hit hands out as it is, worked out once when the entry is made: <see cref="Instance"/> when
    /// the entry has no tags to check, no bytes to read and no copy to make; else <see langword="null"/>, and the hit
    /// takes the general path (as it does for a stored <see langword="null"/>).
    /// </summary>
    public object? Plain { get; } = tags is null && bytes is null && copier is null ? instance : null;

    /// <summary>The value itself, for an immutable type; <see langword="null"/> when <see cref="Bytes"/> holds it.</summary>
    public object? Instance { get; } = instance;

    /// <summary>The serializer's bytes; <see langword="null"/> when <see cref="Instance"/> holds the value.</summary>
    public byte[]? Bytes { get; } = bytes;

    /// <summary>When the value expires; <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    /// <summary>The same moment on the tier's <see cref="CacheClock"/>; <see cref="CacheDeadline.Never"/> for never.</summary>
    public CacheDeadline Deadline { get; } = deadline;

    /// <summary>The value's tags and their versions at write time; <see langword="null"/> for none.</summary>
    public TagStamp[]? Tags { get; } = tags;
}
