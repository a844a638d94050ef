using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>
/// Marks the saves an <see cref="EfCoreStore{TContext}"/> makes itself, for the chain whose write it is part of: the
/// chain writes the cache tiers and tells the backplane itself, so the interceptor leaves these saves alone (as EF Core
/// marks its own). The mark is on the context, for the duration of the save: never ambient state of the caller.
/// </summary>
internal static class StoreSaves
{
    private static readonly ConditionalWeakTable<DbContext, StoreSave> s_saving = [];

    public static bool IsStoreSave(DbContext? context) => context is not null && s_saving.TryGetValue(context, out _);

    /// <summary>Gets the mark of a store's save under way, or <see langword="null"/>.</summary>
    public static StoreSave? Find(DbContext context) => s_saving.TryGetValue(context, out var save) ? save : null;

    /// <summary>Saves a context the store owns, marked as the store's own for the length of the save (pooled contexts are reused).</summary>
    /// <param name="context">The store's context.</param>
    /// <param name="write">The chain's write the save is part of, or <see langword="null"/> when the store was called directly.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>The mark, with the outbox row the save's commit wrote (if any).</returns>
    public static async Task<StoreSave> SaveAsync(DbContext context, ChainWrite? write, CancellationToken cancellationToken)
    {
        var save = new StoreSave(write);
        s_saving.AddOrUpdate(context, save);
        try
        {
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return save;
        }
        finally
        {
            s_saving.Remove(context);
        }
    }
}
