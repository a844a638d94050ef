using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Backplane;

/// <summary>
/// Carries invalidations between app instances over Redis pub/sub: what one instance's chain changed, every other
/// instance evicts from its process-local tiers. Registered by <c>AddRedisBackplane()</c>.
/// </summary>
/// <remarks>
/// <para>Each instance (each service provider) has its own id and ignores messages that carry it. Publishing never
/// throws for a Redis failure: the message's keys are kept (bounded; past the bound, a clear-all is kept instead) and
/// published when Redis is back. An instance whose subscription dropped may have missed messages, so it clears its
/// process-local tiers when the subscription is restored.</para>
/// <para>The chain is resolved lazily, when the first message arrives: the chain resolves the backplane, not the
/// other way round. Subscribing starts when the backplane is created, which needs no host.</para>
/// </remarks>
internal sealed partial class RedisBackplane : IStockpileBackplane, IAsyncDisposable, IDisposable
{
    private const int KeysPerMessage = 1000;

    private readonly RedisLink _link;
    private readonly Func<ChainedStore> _chain;
    private readonly ILogger _logger;
    private readonly RedisMetrics _metrics;
    private readonly MissedKeySet<EntityKey> _unsent;
    private readonly SemaphoreSlim _republishGate = new(1, 1);
    private readonly Channel<WorkKind> _inbox = Channel.CreateUnbounded<WorkKind>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Task _processing;
    private int _disposed;
    private bool _plainChannel;

    public RedisBackplane(RedisLink link, string channel, int unsentCapacity, Func<ChainedStore> chain, ILogger logger, RedisMetrics metrics)
    {
        _link = link;
        ChannelName = channel;
        _chain = chain;
        _logger = logger;
        _metrics = metrics;
        _unsent = new MissedKeySet<EntityKey>(unsentCapacity);
        _link.CircuitClosed += OnCircuitClosed;
        _processing = Task.Run(ProcessAsync);
        Subscribed = SubscribeAsync(_lifetime.Token);
    }

    private enum WorkKind
    {
        ClearAfterReconnect,
        Republish,
    }

    /// <summary>Gets the id this instance stamps on its messages.</summary>
    public Guid InstanceId { get; } = Guid.NewGuid();

    public string ChannelName { get; }

    /// <summary>Gets a task that completes when the subscription is made (or kept for when the connection is back).</summary>
    public Task Subscribed { get; }

    /// <inheritdoc/>
    public ValueTask PublishEvictAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Count == 0 ? default : PublishAsync(BackplaneMessage.EncodeEvict(InstanceId, keys), keys, clear: false, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask PublishClearAsync(Type? entityType, CancellationToken cancellationToken = default) =>
        PublishAsync(BackplaneMessage.EncodeClear(InstanceId, entityType), [], clear: true, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>A message of its own; if it cannot be sent, a clear of everything is sent when Redis is back (more than asked, never less).</remarks>
    public ValueTask PublishRemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        return PublishAsync(BackplaneMessage.EncodeRemoveTag(InstanceId, tag), [], clear: true, cancellationToken);
    }

    /// <summary>
    /// Returns whether a store on <paramref name="link"/> may send this backplane's eviction message itself, in the
    /// script of its delete (<see cref="RedisStore"/>): the same connection, no channel prefix on it (the script names
    /// the channel as is), and no kept message waiting to be sent first (the usual path republishes it).
    /// </summary>
    internal bool PublishesThrough(RedisLink link) => link == _link && Volatile.Read(ref _plainChannel) && !_unsent.IsPending && Volatile.Read(ref _disposed) == 0;

    /// <summary>Encodes an eviction message from this instance (for a store that sends it, see <see cref="PublishesThrough"/>).</summary>
    internal byte[] EncodeEvict(IReadOnlyList<EntityKey> keys) => BackplaneMessage.EncodeEvict(InstanceId, keys);

    /// <summary>Counts a message a store sent for this backplane.</summary>
    internal void Sent() => _metrics.Message("published");

    /// <summary>Starts unsubscribing without waiting (for containers disposed synchronously).</summary>
    public void Dispose() => _ = DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _link.CircuitClosed -= OnCircuitClosed;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await UnsubscribeAsync().ConfigureAwait(false);
        _inbox.Writer.TryComplete();
        await _processing.ConfigureAwait(false);
        _lifetime.Dispose();
    }

    private async ValueTask PublishAsync(byte[] message, IReadOnlyList<EntityKey> keys, bool clear, CancellationToken cancellationToken)
    {
        try
        {
            if (_unsent.IsPending)
            {
                await RepublishAsync(cancellationToken).ConfigureAwait(false);
            }

            await SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The change already reached the tiers; the others hear of it when Redis is back.
            if (clear)
            {
                _unsent.MarkOverflow();
            }
            else
            {
                _unsent.Add(keys);
            }

            _metrics.Message("lost");
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            if (ex is not RedisCircuitOpenException)
            {
                Log.BackplanePublishFailed(_logger, ChannelName, ex);
            }
        }
    }

    private async ValueTask SendAsync(byte[] message, CancellationToken cancellationToken)
    {
        await _link.ExecuteAsync((Backplane: this, Message: message), static async (_, m, ct) =>
            await m.Backplane._link.PublishAsync(RedisSubscription.Channel(m.Backplane.ChannelName), m.Message, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        _metrics.Message("published");
    }

    /// <summary>Publishes what could not be published before: the kept keys, or a clear-all if too much was lost.</summary>
    private async ValueTask RepublishAsync(CancellationToken cancellationToken)
    {
        await _republishGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_unsent.IsPending)
            {
                return;
            }

            var pending = _unsent.Take();
            if (pending.Overflowed)
            {
                await SendAsync(BackplaneMessage.EncodeClear(InstanceId, null), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                foreach (var chunk in pending.Keys.Chunk(KeysPerMessage))
                {
                    await SendAsync(BackplaneMessage.EncodeEvict(InstanceId, chunk), cancellationToken).ConfigureAwait(false);
                }
            }

            _unsent.Complete(pending);
            Log.BackplaneRepublished(_logger, pending.Overflowed ? 1 : pending.Keys.Count);
        }
        finally
        {
            _republishGate.Release();
        }
    }

    private void OnCircuitClosed() => _inbox.Writer.TryWrite(WorkKind.Republish);
}
