using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// <see cref="PeerSaveMarks"/> for a save of one row, which EF Core runs as one statement without a transaction (so no
/// commit event): the statement's end (its data reader disposed, the statement reset, which commits it on SQLite) stands
/// for the commit. Registered after Stockpile's interceptors; used by <see cref="PeerBackplaneBreakdownRun"/>.
/// </summary>
internal sealed class PeerBStatementMarks : DbCommandInterceptor, ISaveChangesInterceptor
{
    public long Saving { get; private set; }

    public long Committed { get; private set; }

    public long Saved { get; private set; }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Saving = Stopwatch.GetTimestamp();
        return new(result);
    }

    public override InterceptionResult DataReaderDisposing(System.Data.Common.DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Committed = Stopwatch.GetTimestamp();
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved = Stopwatch.GetTimestamp();
        return new(result);
    }
}
