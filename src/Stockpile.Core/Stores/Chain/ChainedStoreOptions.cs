namespace Stockpile;

/// <summary>Options of a <see cref="ChainedStore"/>.</summary>
public sealed class ChainedStoreOptions
{
    /// <summary>Gets or sets the chain's name in logs and metrics.</summary>
    /// <value>The default value is <c>"chain"</c>.</value>
    public string Name { get; set; } = "chain";

    /// <summary>Gets or sets a value indicating whether a cache tier that fails a read makes the read fail.</summary>
    /// <value>
    /// The default value is <see langword="false"/>: the failure is logged and counted, and the read goes on to the
    /// tiers below as if the tier had missed, so a broken cache never takes reads down. The bottom tier (the source of
    /// truth) always surfaces its failures.
    /// </value>
    public bool ThrowOnCacheReadFailure { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a shared tier whose read returned a lease (Redis) is back-filled after
    /// the caller has its answer, rather than before.
    /// </summary>
    /// <value>
    /// The default value is <see langword="true"/>: a read answered by a lower tier (the database) waits for the
    /// process-local back-fill (memory) only; the shared tier's back-fill follows in the background (one Redis round
    /// trip less per miss), still checked against its read's lease, so a put, delete or clear of any instance that
    /// reaches that tier first is never overwritten by the older object, and undone after a removal by tag of its type
    /// in this process (which cannot fence an object the tier does not hold yet). What it gives up: until the back-fill
    /// lands another instance may miss that tier and read the lower one. <see langword="false"/>: the caller waits for
    /// every back-fill (memory, then Redis), so when a read returns, the object is in every tier.
    /// </value>
    public bool BackfillSharedTiersInBackground { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the SaveChanges interceptor's eviction after a commit returns once the
    /// process-local tiers (memory) are evicted, while the shared tiers' eviction (Redis) and the backplane's message
    /// follow in the background.
    /// </summary>
    /// <value>
    /// The default value is <see langword="true"/>: this saves a round trip (and the server's work on it) from the save.
    /// <see langword="false"/> makes <c>SaveChanges</c> return only after Redis evicted the objects and the message left,
    /// for an application that needs other instances' Redis reads to see the commit once the save returned. Until the
    /// eviction in the background has ended, this process's reads of the objects it evicts skip the shared tiers (they
    /// read the source of truth and back-fill nothing; a read by a key other than the primary key skips them for every
    /// object of the evicted types, since only the primary key names the object for sure), and this process's puts of those types wait for it, so this
    /// process never reads the old state after <c>SaveChanges</c> returned, nor has a later put overtaken by the older
    /// eviction. A failure is handled as an awaited one is (the Redis store remembers the keys it may still hold and
    /// removes them before its next call; the interceptor logs it and evicts again). Other instances see the change
    /// when its message reaches them, as before; the message leaves up to a round trip later than it did. Commits
    /// that write an outbox row, and write-through entities, are evicted as before (awaited).
    /// <c>ChainedStore.SettleAsync</c> waits for the evictions under way.
    /// </value>
    public bool EvictSharedTiersInBackground { get; set; } = true;
}
