namespace Stockpile.Testing.Stores;

/// <summary>
/// For test projects that do not see Stockpile.Core's internals: waits for what a chain does after its caller returned
/// (back-fills, and the shared tiers' eviction and message behind a save).
/// </summary>
public static class ChainSettling
{
    /// <summary>Waits for the chain's background work; <see langword="true"/> when every cache tier is settled.</summary>
    public static ValueTask<bool> SettledAsync(this ChainedStore chain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return chain.SettleAsync(cancellationToken);
    }
}
