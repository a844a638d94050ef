namespace Stockpile.Internal;

/// <summary>
/// Waits for a cache update from EF Core's synchronous hooks (<c>SaveChanges()</c>, <c>Commit()</c>, a
/// <c>TransactionScope</c> completing). The update must be done before the call returns, or the caller's next read could
/// hit the old state. Async tiers block a thread here; memory tiers complete synchronously and never do. Prefer
/// <c>SaveChangesAsync</c> and <c>CommitAsync</c>.
/// </summary>
internal static class SyncOverAsync
{
    public static void Wait(ValueTask pending)
    {
        if (pending.IsCompleted)
        {
            pending.GetAwaiter().GetResult();
            return;
        }

        pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The result of a cached query's synchronous form (<c>ToList()</c>, <c>Count()</c>): memory tiers answer at once.</summary>
    public static T Result<T>(ValueTask<T> pending) =>
        pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();
}
