using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Stockpile.Internal.Caching;
using Stockpile.Redis.Internal;

namespace Stockpile.Redis.Caching;

/// <summary>
/// The cache's backplane over Redis pub/sub, on the store's multiplexer: each write of a memory-over-Redis cache is
/// announced on the cache's channel, and every other instance evicts that key (or, after a flush, everything) from
/// its memory level. A message is the sender's id (16 bytes), a kind byte (0: one key, 1: flush, 2: a batch's keys)
/// and the key in UTF-8; a batch message holds each key as its UTF-8 byte length (4 bytes, little-endian) then its bytes.
/// </summary>
/// <remarks>
/// <para>Tags need no message: tag versions are read from Redis, so a removed tag reaches every memory hit.</para>
/// <para>A made value's message is sent by the script that stores it (<see cref="AnnouncesThrough"/>,
/// <see cref="RedisCacheScripts.SetMade"/>): the same bytes on the same channel, so every instance hears it, and this
/// one drops it, as any message of its own.</para>
/// <para>As the entity backplane does: a message that cannot be published is not an error for the caller (the write
/// reached Redis); its key is kept (bounded; past the bound, a flush is kept instead) and published before the next
/// message, or when the connection is back. An instance whose subscription dropped may have missed messages, so it
/// clears its memory level when the subscription is restored. Disposing drops the subscription.</para>
/// </remarks>
internal sealed class RedisCacheBackplane : CacheEvictions
{
    private const byte KeyKind = 0;
    private const byte FlushKind = 1;
    private const byte ManyKind = 2;
    private const int UnsentCapacity = 10_000;

    private readonly RedisLink _link;
    private readonly Func<RedisChannel, byte[], CancellationToken, ValueTask> _publish;
    private readonly RedisChannel _channel;
    private readonly RedisValue _channelName;
    private readonly MemoryCacheTier _memory;
    private readonly ILogger _logger;
    private readonly byte[] _origin = Guid.NewGuid().ToByteArray();
    private readonly MissedKeySet<string> _unsent = new(UnsentCapacity, StringComparer.Ordinal);
    private ChannelMessageQueue? _queue;
    private int _disposed;
    private int _republishing;
    private bool _plainChannel;

    /// <param name="link">The link whose multiplexer the subscription is made on, and which tells when it was restored after a drop.</param>
    /// <param name="publish">Publishes a message (through the Redis tier's breaker and clean-up: <see cref="RedisCacheTier.PublishAsync"/>).</param>
    /// <param name="channel">The cache's channel.</param>
    /// <param name="memory">The memory level other instances' messages evict.</param>
    /// <param name="logger">Where failures are logged.</param>
    public RedisCacheBackplane(RedisLink link, Func<RedisChannel, byte[], CancellationToken, ValueTask> publish, string channel, MemoryCacheTier memory, ILogger logger)
    {
        _link = link;
        _publish = publish;
        _channel = RedisSubscription.Channel(channel);
        _channelName = channel;
        _memory = memory;
        _logger = logger;
        Subscribed = SubscribeAsync();
    }

    /// <summary>Raised after a message from another instance was applied: the key evicted, or <see langword="null"/> after a flush.</summary>
    public event Action<string?>? Evicted;

    /// <summary>Raised after the memory level was cleared because the subscription came back after a drop.</summary>
    public event Action? ClearedAfterReconnect;

    /// <summary>Gets a task that completes once this instance listens.</summary>
    public Task Subscribed { get; }

    /// <summary>Gets how many keys wait to be published (a flush counts as none), for tests.</summary>
    internal int UnsentCount => _unsent.Count;

    public override ValueTask PublishAsync(string? key, CancellationToken cancellationToken) =>
        PublishAsync(key is null ? null : [key], cancellationToken);

    /// <summary>Publishes a batch's keys in one message.</summary>
    public override ValueTask PublishManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        keys.Count == 0 ? default : PublishAsync(keys, cancellationToken);

    /// <summary>
    /// Returns whether a Redis tier on <paramref name="link"/> may send a made value's message itself, in the script of
    /// its write (<see cref="Announcement"/>): the same connection, no channel prefix on it (the script names the
    /// channel as is), and no kept message waiting to be sent first (the usual path republishes it before).
    /// </summary>
    internal bool AnnouncesThrough(RedisLink link) =>
        link == _link && Volatile.Read(ref _plainChannel) && !_unsent.IsPending && Volatile.Read(ref _disposed) == 0;

    /// <summary>Gets the channel (by its name) and the message that announce a write of <paramref name="key"/>, for a script to publish.</summary>
    internal (RedisValue Channel, byte[] Message) Announcement(string key) => (_channelName, Encode(key));

    /// <summary>Publishes keys (<see langword="null"/>: a flush); what cannot be published is kept for later.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask PublishAsync(IReadOnlyList<string>? keys, CancellationToken cancellationToken)
    {
        try
        {
            if (_unsent.IsPending)
            {
                await RepublishAsync(cancellationToken).ConfigureAwait(false);
            }

            await SendAsync(keys, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisLink.IsUnavailable(ex) || ex is RedisException)
        {
            // The write reached Redis; the other instances hear of it when Redis answers again.
            if (keys is null)
            {
                _unsent.MarkOverflow();
            }
            else
            {
                _unsent.Add(keys);
            }

            Log.CacheBackplanePublishFailed(_logger, _channel.ToString(), ex);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await Subscribed.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisLink.IsUnavailable(ex) || ex is RedisException or ObjectDisposedException)
        {
            // Never subscribed: nothing to drop.
        }

        _link.SubscriptionRestored -= OnSubscriptionRestored;
        _link.Reconnected -= OnReconnected;
        await RedisSubscription.DropAsync(_queue).ConfigureAwait(false);
    }

    /// <summary>Sends one message: a flush (<see langword="null"/>), one key, or several keys.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(IReadOnlyList<string>? keys, CancellationToken cancellationToken)
    {
        byte[] message;
        if (keys is null || keys.Count == 1)
        {
            message = Encode(keys?[0]);
        }
        else
        {
            var length = _origin.Length + 1;
            foreach (var key in keys)
            {
                length += sizeof(int) + Encoding.UTF8.GetByteCount(key);
            }

            message = new byte[length];
            _origin.CopyTo(message, 0);
            message[_origin.Length] = ManyKind;
            var position = _origin.Length + 1;
            foreach (var key in keys)
            {
                var written = Encoding.UTF8.GetBytes(key, message.AsSpan(position + sizeof(int)));
                BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(position), written);
                position += sizeof(int) + written;
            }
        }

        await _publish(_channel, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The message of one key, or of a flush (<see langword="null"/>).</summary>
    private byte[] Encode(string? key)
    {
        var message = new byte[_origin.Length + 1 + (key is null ? 0 : Encoding.UTF8.GetByteCount(key))];
        _origin.CopyTo(message, 0);
        message[_origin.Length] = key is null ? FlushKind : KeyKind;
        if (key is not null)
        {
            Encoding.UTF8.GetBytes(key, message.AsSpan(_origin.Length + 1));
        }

        return message;
    }

    /// <summary>Publishes what could not be published before: the kept keys, or a flush if too much was lost (one caller at a time; the others go on).</summary>
    private async ValueTask RepublishAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _republishing, 1, 0) != 0)
        {
            return;
        }

        try
        {
            if (!_unsent.IsPending)
            {
                return;
            }

            var pending = _unsent.Take();
            if (pending.Overflowed)
            {
                await SendAsync(null, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                foreach (var key in pending.Keys)
                {
                    await SendAsync([key], cancellationToken).ConfigureAwait(false);
                }
            }

            _unsent.Complete(pending);
            Log.CacheBackplaneRepublished(_logger, _channel.ToString(), pending.Overflowed ? 1 : pending.Keys.Count);
        }
        finally
        {
            Volatile.Write(ref _republishing, 0);
        }
    }

    private async Task SubscribeAsync()
    {
        var subscriber = await _link.GetSubscriberAsync(CancellationToken.None).ConfigureAwait(false);
        Volatile.Write(ref _plainChannel, RedisSubscription.HasNoChannelPrefix(await _link.GetMultiplexerAsync(CancellationToken.None).ConfigureAwait(false)));
        _link.SubscriptionRestored += OnSubscriptionRestored;
        _link.Reconnected += OnReconnected;
        var queue = await subscriber.SubscribeAsync(_channel).ConfigureAwait(false);
        queue.OnMessage(ReceiveAsync);
        _queue = queue;
    }

    // Both run on the multiplexer's thread: clearing memory is quick; publishing is handed over. The link raises the
    // first only after a pub/sub connection dropped (never for a first connection, which missed nothing).
    private void OnSubscriptionRestored()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        _memory.Clear();
        Log.CacheBackplaneClearedAfterReconnect(_logger, _channel.ToString());
        ClearedAfterReconnect?.Invoke();
    }

    private void OnReconnected()
    {
        if (Volatile.Read(ref _disposed) == 0 && _unsent.IsPending)
        {
            _ = Task.Run(RepublishInBackgroundAsync);
        }
    }

    private async Task RepublishInBackgroundAsync()
    {
        try
        {
            await RepublishAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisLink.IsUnavailable(ex) || ex is RedisException or ObjectDisposedException)
        {
            // Still away (or disposed): the next publish or reconnect tries again.
        }
    }

    private async Task ReceiveAsync(ChannelMessage message)
    {
        var bytes = (byte[]?)message.Message;
        if (bytes is null || bytes.Length <= _origin.Length || bytes.AsSpan(0, _origin.Length).SequenceEqual(_origin))
        {
            return;
        }

        string? key = null;
        if (bytes[_origin.Length] == FlushKind)
        {
            await _memory.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        else if (bytes[_origin.Length] == ManyKind)
        {
            for (var position = _origin.Length + 1; position + sizeof(int) <= bytes.Length;)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
                key = Encoding.UTF8.GetString(bytes, position + sizeof(int), length);
                position += sizeof(int) + length;
                await _memory.RemoveAsync(key, CancellationToken.None).ConfigureAwait(false);
                Evicted?.Invoke(key);
            }

            return;
        }
        else
        {
            key = Encoding.UTF8.GetString(bytes, _origin.Length + 1, bytes.Length - _origin.Length - 1);
            await _memory.RemoveAsync(key, CancellationToken.None).ConfigureAwait(false);
        }

        Evicted?.Invoke(key);
    }
}
