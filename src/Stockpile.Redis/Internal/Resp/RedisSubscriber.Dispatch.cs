using System.Text;

namespace Stockpile.Redis.Internal.Resp;

/// <content>Messages in, subscriptions restored after a reconnect.</content>
internal sealed partial class RedisSubscriber
{
    /// <summary>Takes <c>message</c> pushes out of the reply stream and runs their handlers.</summary>
    /// <returns><see langword="true"/> when the reply was a push, not the answer to a command.</returns>
    private bool TryDispatch(RedisReply reply)
    {
        if (reply.Kind != RedisReplyKind.Array || reply.AsArray() is not { Length: 3 or 4 } items
            || items[0].Kind != RedisReplyKind.BulkString)
        {
            return false;
        }

        var kind = items[0].AsBytes();
        if (items.Length == 4)
        {
            // pmessage: this client never pattern-subscribes, so there is nobody to give it to.
            return kind.AsSpan().SequenceEqual("pmessage"u8);
        }

        if (!kind.AsSpan().SequenceEqual("message"u8))
        {
            return false;
        }

        var channel = Encoding.UTF8.GetString(items[1].AsBytes() ?? []);
        var payload = items[2].AsBytes() ?? [];
        if (_subscriptions.TryGetValue(channel, out var subscriptions))
        {
            foreach (var subscription in subscriptions)
            {
                try
                {
                    subscription.Handler(channel, payload);
                }
                catch (Exception ex)
                {
                    // One failing handler must not stop the reader nor the other handlers.
                    Log.MessageHandlerFailed(_logger, channel, ex);
                }
            }
        }

        return true;
    }

    private async ValueTask ResubscribeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var channels = _subscriptions.Keys.ToArray();
            if (channels.Length == 0)
            {
                return;
            }

            var commands = Array.ConvertAll(channels, channel => new RedisCommand("SUBSCRIBE", channel));
            var replies = await _channel.ExecuteBatchAsync(commands, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < replies.Length; i++)
            {
                if (replies[i].ErrorMessage is { } error)
                {
                    Log.SubscribeRejected(_logger, channels[i], error);
                }
            }

            Log.Resubscribed(_logger, channels.Length);
        }
        finally
        {
            _gate.Release();
        }
    }
}
