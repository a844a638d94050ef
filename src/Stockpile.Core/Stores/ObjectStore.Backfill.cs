namespace Stockpile;

/// <content>
/// The chain-to-tier protocol. A <see cref="ChainedStore"/> reads a tier with <see cref="ReadForChainCoreAsync"/>, which
/// returns what the tier found together with a lease; when a lower tier then hits, the chain back-fills this tier with
/// <see cref="BackfillCoreAsync"/> and hands the lease back as an argument. A store that needs nothing between the two
/// (a memory store) keeps the defaults: a plain get, and a plain put. A store shared by several app instances (Redis)
/// uses the lease to refuse a back-fill that a write of another instance has overtaken since the read. A put that a
/// caller asks for is never a back-fill: it is always written.
/// </content>
public abstract partial class ObjectStore
{
    /// <summary>Gets an object for a chain, with the lease its back-fill will carry. The default is <see cref="GetCoreAsync"/> with no lease.</summary>
    /// <param name="key">The look-up, already targeted at the requested type.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The object (or <see langword="null"/>) and the lease.</returns>
    protected virtual ValueTask<TierRead<object?>> ReadForChainCoreAsync(EntityKey key, CancellationToken cancellationToken)
    {
        var pending = GetCoreAsync(key, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(new TierRead<object?>(pending.Result, null)) : AwaitAsync(pending);

        static async ValueTask<TierRead<object?>> AwaitAsync(ValueTask<object?> pending) => new(await pending.ConfigureAwait(false), null);
    }

    /// <summary>Gets many objects for a chain, with one lease for the back-fill of any of them. The default is <see cref="GetManyCoreAsync"/> with no lease.</summary>
    /// <param name="keys">The look-ups, at least one.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One result per look-up, in order, and the lease.</returns>
    protected virtual async ValueTask<TierRead<object?[]>> ReadManyForChainCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) =>
        new(await GetManyCoreAsync(keys, cancellationToken).ConfigureAwait(false), null);

    /// <summary>
    /// Writes what a lower tier of a chain found after this store's read missed. The default puts the objects.
    /// </summary>
    /// <param name="items">The objects, at least one, as the lower tier holds them.</param>
    /// <param name="lease">
    /// The lease this store's own read returned (see <see cref="ReadForChainCoreAsync"/>), or <see langword="null"/>
    /// when that read failed or was not made through the protocol: a store with leases then writes nothing it cannot
    /// vouch for.
    /// </param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the back-fill is written or refused.</returns>
    /// <remarks>A back-fill may be refused (the store evicts instead); a chain logs a failed back-fill and the read still succeeds.</remarks>
    protected virtual ValueTask BackfillCoreAsync(IReadOnlyList<object> items, object? lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return PutManyUntypedAsync(items, cancellationToken);
    }
}
