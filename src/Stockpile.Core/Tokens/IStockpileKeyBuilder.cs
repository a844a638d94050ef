namespace Stockpile;

/// <summary>
/// Builds cache keys from invalidation tokens (generational keys). Every entity instance, entity type, and the whole
/// database have a token, kept in the shared tier (Redis when configured, the process memory otherwise); the EF Core
/// interceptor gives the tokens of what a commit changed new values after the commit (never after a rollback). A key
/// built from tokens changes when any of them does, so a value cached under it is never served after its data changed.
/// </summary>
/// <remarks>
/// <para>Losing the shared tier's data changes every key (a missing token is made with a new random value, never an old
/// one), and a shared tier that cannot be reached yields a key never used before, so the read is a miss rather than an
/// exception or a stale value.</para>
/// </remarks>
public interface IStockpileKeyBuilder
{
    /// <summary>Builds the key: its name, then a hash of its plain values and its tokens' current values (read in one round trip).</summary>
    /// <param name="key">What the key is made of.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The key, e.g. <c>product-page:Qm9vayBvZiB0aGUgZGF5</c>.</returns>
    ValueTask<string> BuildAsync(StockpileKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives every token <paramref name="key"/> names (its entities, ids, types, global) a new value, so every key
    /// built with any of them changes; its plain values are ignored. For writes the EF Core interceptor does not see
    /// (raw SQL, other programs).
    /// </summary>
    /// <param name="key">The tokens to change.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the tokens changed.</returns>
    /// <exception cref="Exception">The shared tier could not be reached; the tokens are changed again before any key is built here.</exception>
    ValueTask InvalidateAsync(StockpileKey key, CancellationToken cancellationToken = default);
}
