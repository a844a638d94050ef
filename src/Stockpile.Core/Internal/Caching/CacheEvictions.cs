namespace Stockpile.Internal.Caching;

/// <summary>
/// Tells the other instances sharing a tier that a key (or, for <see langword="null"/>, every key) changed, so they
/// evict it from their process memory: the cache's side of a backplane.
/// </summary>
internal abstract class CacheEvictions
{
    public abstract ValueTask PublishAsync(string? key, CancellationToken cancellationToken);

    /// <summary>Tells the others that each of these keys changed; the default sends one message per key.</summary>
    public virtual async ValueTask PublishManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            await PublishAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops listening to the other instances; the default listens to nothing.</summary>
    public virtual ValueTask DisposeAsync() => default;
}
