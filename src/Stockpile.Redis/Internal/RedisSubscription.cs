using StackExchange.Redis;

namespace Stockpile.Redis.Internal;

/// <summary>What the entity backplane and the cache's backplane do alike with the subscription they made.</summary>
internal static class RedisSubscription
{
    /// <summary>
    /// The channel a backplane publishes and subscribes on: on a cluster, routed to the node that owns its hash slot,
    /// like a key, instead of to whichever node comes next.
    /// </summary>
    /// <remarks>
    /// StackExchange.Redis subscribes again whenever it finds a subscription not yet confirmed: a second subscriber of
    /// the channel on the multiplexer, or any node's connection opening while the first <c>SUBSCRIBE</c> awaits its reply
    /// (on a loaded machine, just after the connect returned). A freely routed channel then goes to the next node, and
    /// the multiplexer stays subscribed on two nodes, each of which delivers every <c>PUBLISH</c> (a cluster broadcasts
    /// them): every message arrives twice until the connection drops. Routed by its slot, the second <c>SUBSCRIBE</c>
    /// goes to the same connection as the first, where it changes nothing. The price: if the cluster moves that one slot
    /// while running, the package unsubscribes on the old node before it subscribes on the new one, and a message
    /// published in between is not heard. A standalone server routes nothing.
    /// </remarks>
    public static RedisChannel Channel(string name) => RedisChannel.Literal(name).WithKeyRouting();

    /// <summary>
    /// Whether the connection publishes and subscribes to channels under their own names (StackExchange.Redis prepends
    /// its <c>ChannelPrefix</c> otherwise), so that a script may publish on a channel by its name; when its
    /// configuration cannot be read back, the answer is no (messages then go through the subscriber, as always).
    /// </summary>
    public static bool HasNoChannelPrefix(IConnectionMultiplexer multiplexer)
    {
        try
        {
            return string.IsNullOrEmpty(ConfigurationOptions.Parse(multiplexer.Configuration, ignoreUnknown: true).ChannelPrefix);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

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
