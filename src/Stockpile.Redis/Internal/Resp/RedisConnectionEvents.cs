using Microsoft.Extensions.Logging;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// The lost/restored events of one <see cref="IRedisConnection"/>, shared by its two sockets.
/// A throwing handler is logged and does not stop the others.
/// </summary>
internal sealed class RedisConnectionEvents(object sender, ILogger logger)
{
    public event EventHandler<RedisConnectionEventArgs>? Lost;

    public event EventHandler<RedisConnectionEventArgs>? Restored;

    public void RaiseLost(RedisConnectionEventArgs args) => Raise(Lost, nameof(IRedisConnection.ConnectionLost), args);

    public void RaiseRestored(RedisConnectionEventArgs args) => Raise(Restored, nameof(IRedisConnection.ConnectionRestored), args);

    private void Raise(EventHandler<RedisConnectionEventArgs>? handlers, string eventName, RedisConnectionEventArgs args)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<RedisConnectionEventArgs>>())
        {
            try
            {
                handler(sender, args);
            }
            catch (Exception ex)
            {
                // A subscriber's bug must not break reconnecting.
                Log.EventHandlerFailed(logger, eventName, ex);
            }
        }
    }
}
