using System.Collections.Concurrent;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis.Tests.Fakes;

/// <summary>
/// Wraps a real connection: counts round trips (one per command or batch) and records command names, and fails every
/// call on demand, the way FusionCache's chaos cache does. Does not own the inner connection.
/// </summary>
internal sealed class FaultyRedisConnection(IRedisConnection inner) : IRedisConnection
{
    private int _roundTrips;

    public event EventHandler<RedisConnectionEventArgs>? ConnectionLost
    {
        add => inner.ConnectionLost += value;
        remove => inner.ConnectionLost -= value;
    }

    public event EventHandler<RedisConnectionEventArgs>? ConnectionRestored
    {
        add => inner.ConnectionRestored += value;
        remove => inner.ConnectionRestored -= value;
    }

    /// <summary>Gets or sets what every call fails with; <see langword="null"/> to pass calls through.</summary>
    public Func<Exception>? Fault { get; set; }

    public int RoundTrips => Volatile.Read(ref _roundTrips);

    public ConcurrentQueue<string> Commands { get; } = new();

    public bool IsConnected => Fault is null && inner.IsConnected;

    public static Exception Down() => new RedisConnectionException("Redis is down (injected).", "fault:0");

    public static Exception Slow() => new RedisTimeoutException("GET", TimeSpan.FromMilliseconds(1));

    public void Reset()
    {
        Interlocked.Exchange(ref _roundTrips, 0);
        Commands.Clear();
    }

    public ValueTask<RedisReply> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken = default)
    {
        Record(command.Name);
        return Fault is { } fault ? ValueTask.FromException<RedisReply>(fault()) : inner.ExecuteAsync(command, cancellationToken);
    }

    public ValueTask<RedisReply[]> ExecuteBatchAsync(IReadOnlyList<RedisCommand> commands, CancellationToken cancellationToken = default)
    {
        Record(string.Join(' ', commands.Select(c => c.Name)));
        return Fault is { } fault ? ValueTask.FromException<RedisReply[]>(fault()) : inner.ExecuteBatchAsync(commands, cancellationToken);
    }

    public ValueTask<long> PublishAsync(string channel, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        Record("PUBLISH");
        return Fault is { } fault ? ValueTask.FromException<long>(fault()) : inner.PublishAsync(channel, message, cancellationToken);
    }

    public ValueTask<IAsyncDisposable> SubscribeAsync(string channel, Action<string, ReadOnlyMemory<byte>> handler, CancellationToken cancellationToken = default) =>
        inner.SubscribeAsync(channel, handler, cancellationToken);

    public ValueTask DisposeAsync() => default;

    private void Record(string name)
    {
        Interlocked.Increment(ref _roundTrips);
        Commands.Enqueue(name);
    }
}
