using Microsoft.Extensions.Logging;

namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// The pub/sub side: its own <see cref="RespChannel"/>, the handlers per channel, and the resubscription of every
/// channel after a reconnect (before <see cref="IRedisConnection.ConnectionRestored"/> is raised).
/// </summary>
internal sealed partial class RedisSubscriber : IAsyncDisposable
{
    private readonly RespChannel _channel;
    private readonly ILogger _logger;

    // Changed under _gate, copy-on-write, so the reader dispatches without a lock.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Dictionary<string, RedisSubscription[]> _subscriptions = new(StringComparer.Ordinal);
    private int _disposed;

    public RedisSubscriber(RedisConnectionOptions options, RedisConnectionEvents events, ILogger logger)
    {
        _logger = logger;
        _channel = new RespChannel(options, RedisConnectionRole.Subscription, events, logger, TryDispatch, ResubscribeAsync);
    }

    /// <summary>Connects, or keeps trying in the background: subscriptions wait for the connection.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        _channel.StartAsync(abortOnConnectFail: false, cancellationToken);

    public async ValueTask<IAsyncDisposable> SubscribeAsync(
        string channel, Action<string, ReadOnlyMemory<byte>> handler, CancellationToken cancellationToken)
    {
        var subscription = new RedisSubscription(this, channel, handler);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var isNewChannel = !_subscriptions.ContainsKey(channel);
            Update(subscription, add: true);
            if (isNewChannel && _channel.IsConnected)
            {
                await SubscribeOnServerAsync(subscription, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }

        return subscription;
    }

    public async ValueTask UnsubscribeAsync(RedisSubscription subscription)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Update(subscription, add: false) && _channel.IsConnected)
            {
                try
                {
                    await _channel.ExecuteAsync(new RedisCommand("UNSUBSCRIBE", subscription.Channel)).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisConnectionException or TimeoutException)
                {
                    // A new socket starts with no subscriptions, and this channel is no longer resubscribed.
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
        _subscriptions = new(StringComparer.Ordinal);
    }

    private async ValueTask SubscribeOnServerAsync(RedisSubscription subscription, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.ExecuteAsync(new RedisCommand("SUBSCRIBE", subscription.Channel), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or TimeoutException)
        {
            // Kept: the reconnect (or the late reply) completes it.
            Log.SubscribeDeferred(_logger, subscription.Channel, ex);
        }
        catch
        {
            // Refused by the server, or cancelled by the caller: the caller gets no subscription, so keep none.
            Update(subscription, add: false);
            throw;
        }
    }

    /// <summary>Adds or removes a subscription (copy-on-write); call under <see cref="_gate"/>.</summary>
    /// <returns>On removal, <see langword="true"/> when the channel has no handler left.</returns>
    private bool Update(RedisSubscription subscription, bool add)
    {
        var copy = new Dictionary<string, RedisSubscription[]>(_subscriptions, StringComparer.Ordinal);
        copy.TryGetValue(subscription.Channel, out var handlers);
        handlers ??= [];
        handlers = add ? [.. handlers, subscription] : Array.FindAll(handlers, s => !ReferenceEquals(s, subscription));
        if (handlers.Length == 0)
        {
            copy.Remove(subscription.Channel);
        }
        else
        {
            copy[subscription.Channel] = handlers;
        }

        _subscriptions = copy;
        return handlers.Length == 0;
    }
}
