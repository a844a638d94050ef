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
}
