using StackExchange.Redis;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Backplane;

/// <content>
/// Receiving: the subscription (StackExchange.Redis resubscribes after a reconnect), and applying messages one at a
/// time, on the subscription queue's own loop (no second hand-over before a message reaches the chain); the clears
/// after a reconnect and the republishes go through the inbox.
/// </content>
internal sealed partial class RedisBackplane
{
    private ISubscriber? _subscriber;
    private ChannelMessageQueue? _queue;

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var subscriber = await _link.GetSubscriberAsync(cancellationToken).ConfigureAwait(false);
            _link.SubscriptionRestored += OnSubscriptionRestored;
            _link.Reconnected += OnReconnected;
            _subscriber = subscriber;
            var queue = await subscriber.SubscribeAsync(RedisSubscription.Channel(ChannelName)).WaitAsync(cancellationToken).ConfigureAwait(false);
            queue.OnMessage(OnMessageAsync);
            _queue = queue;
            Volatile.Write(ref _plainChannel, RedisSubscription.HasNoChannelPrefix(await _link.GetMultiplexerAsync(cancellationToken).ConfigureAwait(false)));
            Log.BackplaneSubscribed(_logger, ChannelName);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed before the subscription was made.
        }
        catch (Exception ex)
        {
            // The package keeps the subscription and makes it when the connection is up.
            Log.BackplaneSubscribeFailed(_logger, ChannelName, ex);
        }
    }

    private async ValueTask UnsubscribeAsync()
    {
        await Subscribed.ConfigureAwait(false);
        _link.SubscriptionRestored -= OnSubscriptionRestored;
        _link.Reconnected -= OnReconnected;
        await RedisSubscription.DropAsync(_queue).ConfigureAwait(false);
    }

    // StackExchange.Redis awaits each call before it hands over the next message: the order is kept.
    private async Task OnMessageAsync(ChannelMessage message)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Unsubscribing: the chain may be gone with its container.
            return;
        }

        try
        {
            await ApplyAsync((byte[])message.Message!).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.BackplaneHandlerFailed(_logger, ex);
        }
    }

    // Both run on the multiplexer's threads: hand over and return.
    private void OnSubscriptionRestored() => _inbox.Writer.TryWrite(WorkKind.ClearAfterReconnect);

    private void OnReconnected() => _inbox.Writer.TryWrite(WorkKind.Republish);

    private async Task ProcessAsync()
    {
        await foreach (var work in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (work == WorkKind.ClearAfterReconnect)
                {
                    await _chain().ClearLocalAsync(null).ConfigureAwait(false);
                    Log.BackplaneClearedAfterReconnect(_logger);
                }
                else
                {
                    await RepublishAsync(_lifetime.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
                // Disposing.
            }
            catch (Exception ex) when (work == WorkKind.Republish && RedisLink.IsUnavailable(ex))
            {
                // Still away: the next publish or recovery tries again.
            }
            catch (Exception ex)
            {
                Log.BackplaneHandlerFailed(_logger, ex);
            }
        }
    }

    private async ValueTask ApplyAsync(ReadOnlyMemory<byte> bytes)
    {
        // Every instance hears its own messages too: known by the origin they name first, they are dropped unread.
        if (BackplaneMessage.TryReadLeadingOrigin(bytes.Span, out var origin) && origin == InstanceId)
        {
            OwnMessageIgnored();
            return;
        }

        if (BackplaneMessage.TryDecode(bytes) is not { } message)
        {
            _metrics.Message("unreadable");
            Log.BackplaneMessageUnreadable(_logger, ChannelName, null);
            return;
        }

        if (message.Origin == InstanceId)
        {
            OwnMessageIgnored();
            return;
        }

        _metrics.Message("received");
        var chain = _chain();
        if (message.Evict is { } keys)
        {
            if (keys.Count > 0)
            {
                await chain.EvictLocalAsync(keys).ConfigureAwait(false);
            }

            Log.BackplaneEvicted(_logger, keys.Count);
            return;
        }

        if (message.RemoveTag is { } tag)
        {
            await chain.RemoveByTagLocalAsync(tag).ConfigureAwait(false);
            Log.BackplaneRemovedTag(_logger);
            return;
        }

        // A type this process never used may still be a base of types it holds: then clear everything.
        var type = message.ClearType is { } name && StockpileEntityType.TryFindKnown(name, out var known) ? known.ClrType : null;
        await chain.ClearLocalAsync(type).ConfigureAwait(false);
        Log.BackplaneCleared(_logger, type?.Name ?? "every type");
    }

    private void OwnMessageIgnored()
    {
        _metrics.Message("ignored");
        Log.BackplaneOwnMessageIgnored(_logger, ChannelName);
    }
}
