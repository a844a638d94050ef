namespace Stockpile.Redis.Internal.Resp;

/// <summary>Which of the two sockets of an <see cref="IRedisConnection"/> an event is about.</summary>
internal enum RedisConnectionRole
{
    /// <summary>The multiplexed connection that carries commands and batches.</summary>
    Interactive,

    /// <summary>The dedicated pub/sub connection.</summary>
    Subscription,
}
