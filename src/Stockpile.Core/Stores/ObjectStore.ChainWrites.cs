using Stockpile.Internal;

namespace Stockpile;

public abstract partial class ObjectStore
{
    // A chain's write reaching this tier, with the write itself: a source of truth may ask for work to run once every
    // tier took it (ChainWrite.OnSettled). A store that has none writes as for any other caller.
    internal virtual ValueTask PutForChainAsync(IReadOnlyList<object> items, ChainWrite write, CancellationToken cancellationToken) =>
        PutManyUntypedAsync(items, cancellationToken);

    internal virtual ValueTask<bool> DeleteForChainAsync(EntityKey key, ChainWrite write, CancellationToken cancellationToken) =>
        DeleteUntypedAsync(key, cancellationToken);

    // A chain's invalidation reaching the last tier other instances read: the tier deletes and may send the backplane's
    // message in the same step, as long as the message cannot reach another instance before the delete took effect;
    // it returns whether it sent it (then the chain does not). A store that cannot just deletes.
    internal virtual async ValueTask<bool> DeleteManyAndPublishForChainAsync(IReadOnlyList<EntityKey> keys, IStockpileBackplane backplane, CancellationToken cancellationToken)
    {
        await DeleteManyUntypedAsync(keys, cancellationToken).ConfigureAwait(false);
        return false;
    }

    internal virtual ValueTask<int> DeleteManyForChainAsync(IReadOnlyList<EntityKey> keys, ChainWrite write, CancellationToken cancellationToken) =>
        DeleteManyUntypedAsync(keys, cancellationToken);
}
