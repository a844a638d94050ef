using StackExchange.Redis;

namespace Stockpile.Redis.Caching;

/// <summary>
/// What <see cref="RedisCacheTier.ReadForMakeAsync"/> saw of a key before its value was made: the entry's string, the
/// key's write fence and the namespace's flush fence (each <see cref="RedisValue.Null"/> when absent). The made value's
/// write lands only while they are as seen (<see cref="RedisCacheScripts.SetMade"/>).
/// </summary>
internal sealed record RedisCacheMark(RedisValue Held, RedisValue Fence, RedisValue FlushFence)
{
    /// <summary>Gets the mark of a read that saw nothing: any fence refuses the write.</summary>
    public static RedisCacheMark None { get; } = new(RedisValue.Null, RedisValue.Null, RedisValue.Null);

    /// <summary>
    /// Gets the keys the read sent on one server (the entry, its fence, the flush fence: those the write's script takes,
    /// in its order), for the write of the same key to send again; <see langword="null"/> when the read did not keep them.
    /// </summary>
    public RedisKey[]? Keys { get; init; }
}
