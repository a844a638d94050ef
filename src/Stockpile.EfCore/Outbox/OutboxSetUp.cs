namespace Stockpile.Internal;

/// <summary>
/// Checks a set-up built by hand with the outbox on: a chain's own writes through its EF Core store get their rows from
/// the interceptor on the store's contexts, so a store whose contexts lack it would write the database with no row
/// (a process dying before the chain wrote Redis would leave Redis stale). Such a set-up fails at once.
/// </summary>
internal static class OutboxSetUp
{
    /// <summary>Throws when an EF Core store of <paramref name="chain"/> (over <paramref name="contextType"/>, or any context) saves without outbox rows.</summary>
    public static void CheckStores(ChainedStore chain, Type? contextType)
    {
        foreach (var tier in chain.Tiers)
        {
            if (tier is IOutboxStore { SavesWriteOutboxRows: false } store && (contextType is null || store.ContextType == contextType))
            {
                throw new InvalidOperationException(EfExceptionMessages.OutboxStoreWithoutInterceptor(store.ContextType));
            }
        }
    }
}
