namespace Stockpile.Redis.Internal.Resp;

/// <summary>One handler on one channel; disposing it unsubscribes the handler (and the channel with its last handler).</summary>
internal sealed class RedisSubscription(RedisSubscriber owner, string channel, Action<string, ReadOnlyMemory<byte>> handler)
    : IAsyncDisposable
{
    private int _disposed;

    public string Channel { get; } = channel;

    public Action<string, ReadOnlyMemory<byte>> Handler { get; } = handler;

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? owner.UnsubscribeAsync(this) : ValueTask.CompletedTask;
}
