using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

/// <summary>
/// Marks the contexts an <see cref="EfCoreStore{TContext}"/> saves with, the way EF Core marks its own work: a store's
/// put or delete is a chain write, and the chain updates every cache tier and tells other instances itself. The
/// interceptor leaves these saves alone, so one write costs one SaveChanges, one write per tier and one backplane message.
/// </summary>
/// <remarks>The mark is removed before the context is disposed: a pooled context goes back to the application unmarked.</remarks>
internal static class StoreSaves
{
    private static readonly ConditionalWeakTable<DbContext, object> s_marked = new();
    private static readonly object s_mark = new();

    public static void Mark(DbContext context) => s_marked.AddOrUpdate(context, s_mark);

    public static void Unmark(DbContext context) => s_marked.Remove(context);

    public static bool IsMarked(DbContext context) => s_marked.TryGetValue(context, out _);
}
