namespace Stockpile;

/// <summary>What the Stockpile interceptor does to the cache tiers once a change to an entity is committed.</summary>
public enum StockpileCommitPolicy
{
    /// <summary>Evict the entity from every cache tier, under its old and new keys; the next read loads it. Always safe.</summary>
    Evict = 0,

    /// <summary>
    /// Write the committed state into every cache tier (and evict old keys). When a concurrent commit touched the same
    /// rows, or the state cannot be known for certain, the interceptor evicts instead.
    /// </summary>
    WriteThrough = 1,
}
