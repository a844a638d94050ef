using StackExchange.Redis;

namespace Stockpile.Redis.Caching;

/// <summary>
/// What <see cref="RedisCacheTier.ReadForMakeAsync"/> saw of a key before its value was made: the entry's string, the
/// key's write fence and the namespace's flush fence (each <see cref="RedisValue.Null"/> when absent). The made value's
/// write lands only while they are as seen (<see cref="RedisCacheScripts.SetMade"/>).
/// </summary>
internal sealed record RedisCacheMark(RedisValue Held, RedisValue Fence, RedisValue FlushFence);
