using Stockpile.Redis.Internal;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Backplane;

/// <content>The subscription, and the one loop that applies what arrives, off the connection's reader.</content>
internal sealed partial class RedisBackplane
{
    private IRedisConnection? _connection;
    private IAsyncDisposable? _subscription;

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _link.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            connection.ConnectionRestored += OnConnectionRestored;
            _connection = connection;
            _subscription = await connection.SubscribeAsync(ChannelName, OnMessage, cancellationToken).ConfigureAwait(false);
            Log.BackplaneSubscribed(_logger, ChannelName);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed before the subscription was made.
        }
        catch (Exception ex)
        {
            Log.BackplaneSubscribeFailed(_logger, ChannelName, ex);
        }
    }

    private async ValueTask UnsubscribeAsync()
    {
        await Subscribed.ConfigureAwait(false);
        if (_connection is { } connection)
        {
            connection.ConnectionRestored -= OnConnectionRestored;
        }

        if (_subscription is { } subscription)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Both run on the connection's threads: hand over and return.
    private void OnMessage(string channel, ReadOnlyMemory<byte> message) => _inbox.Writer.TryWrite(new Work(WorkKind.Message, message));

    private void OnConnectionRestored(object? sender, RedisConnectionEventArgs e) =>
        _inbox.Writer.TryWrite(new Work(e.Role == RedisConnectionRole.Subscription ? WorkKind.ClearAfterReconnect : WorkKind.Republish, default));

    private async Task ProcessAsync()
    {
        await foreach (var work in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                switch (work.Kind)
                {
                    case WorkKind.Message:
                        await ApplyAsync(work.Message).ConfigureAwait(false);
                        break;
                    case WorkKind.ClearAfterReconnect:
                        await _chain().ClearLocalAsync(null).ConfigureAwait(false);
                        Log.BackplaneClearedAfterReconnect(_logger);
                        break;
                    default:
                        await RepublishAsync(_lifetime.Token).ConfigureAwait(false);
                        break;
                }
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
                // Disposing.
            }
            catch (Exception ex) when (work.Kind == WorkKind.Republish && RedisLink.IsUnavailable(ex))
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
        if (BackplaneMessage.TryDecode(bytes) is not { } message)
        {
            _metrics.Message("unreadable");
            Log.BackplaneMessageUnreadable(_logger, ChannelName, null);
            return;
        }

        if (message.Origin == InstanceId)
        {
            _metrics.Message("ignored");
            Log.BackplaneOwnMessageIgnored(_logger, ChannelName);
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

        // A type this process never used may still be a base of types it holds: then clear everything.
        var type = message.ClearType is { } name && StockpileEntityType.TryFindKnown(name, out var known) ? known.ClrType : null;
        await chain.ClearLocalAsync(type).ConfigureAwait(false);
        Log.BackplaneCleared(_logger, type?.Name ?? "every type");
    }
}
