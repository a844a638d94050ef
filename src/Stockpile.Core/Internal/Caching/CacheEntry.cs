namespace Stockpile.Internal.Caching;

/// <summary>
/// One cached value as a tier keeps it: the instance (immutable types; a private copy of flat mutable ones) or its serialized bytes, when it expires, and the
/// versions its tags had when it was written.
/// </summary>
internal sealed class CacheEntry(object? instance, byte[]? bytes, DateTimeOffset? expiresAt, long deadline, TagStamp[]? tags, bool copyOnRead = false)
{
    /// <summary>Gets a value indicating whether <see cref="Instance"/> is the cache's private copy of a flat mutable value, which every read copies again.</summary>
    public bool CopyOnRead { get; } = copyOnRead;

    /// <summary>The value itself, for an immutable type; <see langword="null"/> when <see cref="Bytes"/> holds it.</summary>
    public object? Instance { get; } = instance;

    /// <summary>The serializer's bytes; <see langword="null"/> when <see cref="Instance"/> holds the value.</summary>
    public byte[]? Bytes { get; } = bytes;

    /// <summary>When the value expires; <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; } = expiresAt;

    /// <summary>The same moment on the tier's <see cref="CacheClock"/>; <see cref="long.MaxValue"/> for never.</summary>
    public long Deadline { get; } = deadline;

    /// <summary>The value's tags and their versions at write time; <see langword="null"/> for none.</summary>
    public TagStamp[]? Tags { get; } = tags;

    public bool IsExpired(long now) => Deadline <= now;
}
