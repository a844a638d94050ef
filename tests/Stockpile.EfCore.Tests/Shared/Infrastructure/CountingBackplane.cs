namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>A backplane that counts what it is asked to publish, and publishes nothing.</summary>
public sealed class CountingBackplane : IStockpileBackplane
{
    private int _evictions;
    private int _clears;

    public int Evictions => Volatile.Read(ref _evictions);

    public int Clears => Volatile.Read(ref _clears);

    public ValueTask PublishEvictAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _evictions);
        return default;
    }

    public ValueTask PublishClearAsync(Type? entityType, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _clears);
        return default;
    }
}
