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
    private static readonly ConditionalWeakTable<DbContext, object> s_saving = [];

    public static bool IsStoreSave(DbContext? context) => context is not null && s_saving.TryGetValue(context, out _);

    /// <summary>Saves a context the store owns, marked as the store's own for the length of the save (pooled contexts are reused).</summary>
    public static async Task SaveAsync(DbContext context, CancellationToken cancellationToken)
    {
        s_saving.AddOrUpdate(context, context);
        try
        {
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            s_saving.Remove(context);
        }
    }
}
