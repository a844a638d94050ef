using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// <see cref="PeerSaveMarks"/> for a save of one row, which EF Core runs as one statement without a transaction (so no
/// commit event): the statement's end (its data reader disposed, the statement reset, which commits it on SQLite) stands
/// for the commit. Registered after Stockpile's interceptors; used by <see cref="PeerBackplaneBreakdownRun"/>.
/// </summary>
internal sealed class PeerBStatementMarks : PeerSaveMarks, IDbCommandInterceptor
{
    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Committed = Stopwatch.GetTimestamp();
        return result;
    }
}
