using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// Timestamps the steps of a <c>SaveChanges</c> from an interceptor registered after Stockpile's: when the save's
/// interceptors ran (Stockpile's capture is done), when its transaction committed (the database work is done), and when
/// its saved-changes interceptors ran (Stockpile's cache update is done). Used by <see cref="PeerSaveBreakdownRun"/>.
/// </summary>
internal class PeerSaveMarks : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public long Saving { get; private set; }

    public long Committed { get; protected set; }

    public long Saved { get; private set; }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Saving = Stopwatch.GetTimestamp();
        return new(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed = Stopwatch.GetTimestamp();
        return Task.CompletedTask;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved = Stopwatch.GetTimestamp();
        return new(result);
    }
}
