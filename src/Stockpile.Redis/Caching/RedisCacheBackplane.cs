using System.Text;
using StackExchange.Redis;
using Stockpile.Internal.Caching;

namespace Stockpile.Redis.Caching;

/// <summary>
/// The cache's backplane over Redis pub/sub, on the store's multiplexer: each write of a memory-over-Redis cache is
/// announced on the cache's channel, and every other instance evicts that key (or, after a flush, everything) from
/// its memory level. A message is the sender's id (16 bytes), a kind byte (0: one key, 1: flush) and the key in UTF-8.
/// </summary>
/// <remarks>Tags need no message: tag versions are read from Redis, so a removed tag reaches every memory hit.</remarks>
internal sealed class RedisCacheBackplane : CacheEvictions
{
    private const byte KeyKind = 0;
    private const byte FlushKind = 1;

    private readonly Func<CancellationToken, ValueTask<IConnectionMultiplexer>> _connect;
    private readonly RedisChannel _channel;
    private readonly MemoryCacheTier _memory;
    private readonly byte[] _origin = Guid.NewGuid().ToByteArray();

    public RedisCacheBackplane(Func<CancellationToken, ValueTask<IConnectionMultiplexer>> connect, string channel, MemoryCacheTier memory)
    {
        _connect = connect;
        _channel = RedisChannel.Literal(channel);
        _memory = memory;
        Subscribed = SubscribeAsync();
    }

    /// <summary>Raised after a message from another instance was applied: the key evicted, or <see langword="null"/> after a flush.</summary>
    public event Action<string?>? Evicted;

    /// <summary>Gets a task that completes once this instance listens.</summary>
    public Task Subscribed { get; }

    public override async ValueTask PublishAsync(string? key, CancellationToken cancellationToken)
    {
        var text = key is null ? [] : Encoding.UTF8.GetBytes(key);
        var message = new byte[_origin.Length + 1 + text.Length];
        _origin.CopyTo(message, 0);
        message[_origin.Length] = key is null ? FlushKind : KeyKind;
        text.CopyTo(message, _origin.Length + 1);
        var multiplexer = await _connect(cancellationToken).ConfigureAwait(false);
        await multiplexer.GetSubscriber().PublishAsync(_channel, message).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SubscribeAsync()
    {
        var multiplexer = await _connect(CancellationToken.None).ConfigureAwait(false);
        var queue = await multiplexer.GetSubscriber().SubscribeAsync(_channel).ConfigureAwait(false);
        queue.OnMessage(ReceiveAsync);
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
        else
        {
            key = Encoding.UTF8.GetString(bytes, _origin.Length + 1, bytes.Length - _origin.Length - 1);
            await _memory.RemoveAsync(key, CancellationToken.None).ConfigureAwait(false);
        }

        Evicted?.Invoke(key);
    }
}
