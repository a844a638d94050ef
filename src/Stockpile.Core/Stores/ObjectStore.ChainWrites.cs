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

    internal virtual ValueTask<int> DeleteManyForChainAsync(IReadOnlyList<EntityKey> keys, ChainWrite write, CancellationToken cancellationToken) =>
        DeleteManyUntypedAsync(keys, cancellationToken);
}
