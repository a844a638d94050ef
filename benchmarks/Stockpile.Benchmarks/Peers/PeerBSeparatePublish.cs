namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Forwards to a chain's backplane under another type, so the Redis store no longer recognizes it as its own and the
/// chain publishes after the delete, in a round trip of its own: how a commit's invalidation went before session 6, for
/// a side-by-side comparison in one process.
/// </summary>
internal sealed class PeerBSeparatePublish(IStockpileBackplane inner) : IStockpileBackplane
{
    /// <summary>Makes the chain of <paramref name="instance"/> publish after its deletes.</summary>
    public static PeerBStockpile Apply(PeerBStockpile instance)
    {
        instance.Chain.Backplane = new PeerBSeparatePublish(instance.Chain.Backplane ?? throw new InvalidOperationException("No backplane to wrap."));
        return instance;
    }

    public ValueTask PublishEvictAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken = default) => inner.PublishEvictAsync(keys, cancellationToken);

    public ValueTask PublishClearAsync(Type? entityType, CancellationToken cancellationToken = default) => inner.PublishClearAsync(entityType, cancellationToken);

    public ValueTask PublishRemoveByTagAsync(string tag, CancellationToken cancellationToken = default) => inner.PublishRemoveByTagAsync(tag, cancellationToken);
}
