using Stockpile.Internal.Tags;

namespace Stockpile;

public abstract partial class ObjectStore
{
    /// <summary>
    /// Removes every entity carrying a tag (see <see cref="StockpileEntityTags"/>) from this store, if it is a cache; a
    /// chain removes them from every cache tier and tells other instances through its backplane. The database is never
    /// touched: the next read of such an entity comes from it.
    /// </summary>
    /// <param name="tag">The tag, e.g. <c>tenant:42</c>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the entities are unreachable in this store (in a chain: in every cache tier).</returns>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is null, empty or white space.</exception>
    /// <remarks>
    /// Entities are tagged by their values when they were written to the store; an entity stored without expiry is
    /// removed too. A store keeps an index of its tagged entities, so the removal costs in proportion to the entities
    /// carrying the tag and reads cost nothing (see <see cref="RemoveByTagCoreAsync"/>).
    /// </remarks>
    public ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        return RemoveByTagCoreAsync(tag, cancellationToken);
    }

    /// <summary>
    /// Removes every entity carrying a tag. The default does nothing in a source of truth (a database is never changed
    /// by a tag), and in a cache clears every type that has tags: more than asked, never less. A store that indexes its
    /// entities by tag (the memory and Redis stores) removes only those carrying it.
    /// </summary>
    /// <param name="tag">The tag, checked.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the entities are removed.</returns>
    /// <exception cref="NotSupportedException">The store is a cache that has neither a tag index nor a clear.</exception>
    protected virtual async ValueTask RemoveByTagCoreAsync(string tag, CancellationToken cancellationToken)
    {
        if (IsSourceOfTruth)
        {
            return;
        }

        foreach (var type in EntityTagRegistry.TaggedTypes.ToArray())
        {
            try
            {
                await ClearCoreAsync(StockpileEntityType.For(type), cancellationToken).ConfigureAwait(false);
            }
            catch (NotSupportedException ex)
            {
                throw new NotSupportedException(Internal.ExceptionMessages.Tier(Name, $"remove the entities tagged '{tag}'", $"{GetType().Name} keeps no tag index and cannot be cleared; override RemoveByTagCoreAsync."), ex);
            }
        }
    }

    internal ValueTask RemoveByTagUntypedAsync(string tag, CancellationToken cancellationToken) => RemoveByTagCoreAsync(tag, cancellationToken);
}
