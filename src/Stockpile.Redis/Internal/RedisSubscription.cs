using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>What the entity backplane and the cache's backplane do alike with the subscription they made.</summary>
internal static class RedisSubscription
{
    /// <summary>
    /// Drops a subscription on disposal (nothing when none was made). Redis being away, a Redis error or a closed
    /// multiplexer is no failure here: the subscription is gone with the connection.
    /// </summary>
    public static async ValueTask DropAsync(ChannelMessageQueue? queue)
    {
        if (queue is null)
        {
            return;
        }

        try
        {
            await queue.UnsubscribeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisLink.IsUnavailable(ex) || ex is RedisException or ObjectDisposedException)
        {
            // The subscription is gone with the connection.
        }
    }
}
