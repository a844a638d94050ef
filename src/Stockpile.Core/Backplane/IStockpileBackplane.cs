namespace Stockpile;

/// <summary>
/// Carries invalidations between app instances: when one instance changes objects, the others evict them from their
/// process-local tiers (memory stores).
/// </summary>
/// <remarks>
/// A <see cref="ChainedStore"/> publishes after every put, delete and invalidation that reached its tiers. The
/// implementation delivers the message to every other instance, which calls
/// <see cref="ChainedStore.EvictLocalAsync(IReadOnlyList{EntityKey}, CancellationToken)"/> (or
/// <see cref="ChainedStore.ClearLocalAsync(Type?, CancellationToken)"/>) on its own chain, and ignores its own messages.
/// Implementations should not throw for transport failures (the change already reached the tiers): they log, and an
/// instance that may have missed messages clears its process-local tiers when the transport comes back.
/// </remarks>
public interface IStockpileBackplane
{
    /// <summary>Tells the other instances that the objects found by these look-ups changed.</summary>
    /// <param name="keys">The look-ups.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the message is sent.</returns>
    ValueTask PublishEvictAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken = default);

    /// <summary>Tells the other instances to drop every object of a type, or every object, from their process-local tiers.</summary>
    /// <param name="entityType">The type, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the message is sent.</returns>
    ValueTask PublishClearAsync(Type? entityType, CancellationToken cancellationToken = default);

    /// <summary>Tells the other instances to remove the entities carrying a tag from their process-local tiers.</summary>
    /// <param name="tag">The tag.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the message is sent.</returns>
    /// <remarks>
    /// The receiver calls <see cref="ChainedStore.RemoveByTagLocalAsync(string, CancellationToken)"/>. The default
    /// publishes a clear of every type (<see cref="PublishClearAsync"/>): more than asked, never less, for a backplane
    /// that has no message for tags.
    /// </remarks>
    ValueTask PublishRemoveByTagAsync(string tag, CancellationToken cancellationToken = default) => PublishClearAsync(null, cancellationToken);
}
