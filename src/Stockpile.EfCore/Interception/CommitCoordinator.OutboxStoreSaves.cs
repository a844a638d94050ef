using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>
/// The outbox for a chain's own writes through <see cref="EfCoreStore{TContext}"/>: the chain updates the caches itself,
/// so the interceptor applies nothing of the save, but with the outbox on it still writes the row (what the save
/// changes) in the save's transaction. The store hands the row to the chain's write, which deletes it once every tier
/// took the write.
/// </summary>
internal sealed partial class CommitCoordinator
{
    private void HoldStoreSave(DbContext? context)
    {
        HoldTablesOfStoreSave(context);
        if (context is null || StoreSaves.Find(context) is not { Write: not null } save || !OutboxOn(context))
        {
            return;
        }

        var resolver = ModelKeyResolver.For(context, Options.UseModelKeys);
        CommitBatch? captured;
        try
        {
            captured = Capture(context, resolver);
        }
        catch (Exception ex)
        {
            // The row names the changed types whole: more evictions, never fewer.
            captured = TypesOnly(context, resolver);
            Log.CaptureFailed(_logger, string.Join(", ", captured.Types.Select(TypeNames.Display)), ex);
        }

        if (captured is null)
        {
            return;
        }

        var batch = _contexts.GetValue(context, static _ => new ContextState()).Pending ??= new CommitBatch(this, []);
        batch.StoreSave = save;
        batch.StoreCapture = captured;
        PrepareOutbox(context, batch);
    }
}
