namespace Stockpile.Internal;

/// <summary>
/// The tables the commands of one cached query's execution read, collected by <see cref="StockpileCommandInterceptor"/>
/// while the query runs (the capture flows with the async flow into EF Core's execution).
/// </summary>
internal sealed class TableCapture(QueryTables tables)
{
    private static readonly AsyncLocal<TableCapture?> s_current = new();
    private readonly HashSet<string> _tags = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public static TableCapture? Current => s_current.Value;

    public static TableCapture Begin(QueryTables tables)
    {
        var capture = new TableCapture(tables);
        s_current.Value = capture;
        return capture;
    }

    /// <summary>Ends the capture and gives the tags it collected.</summary>
    public static string[] End(TableCapture capture)
    {
        s_current.Value = null;
        lock (capture._lock)
        {
            return [.. capture._tags];
        }
    }

    /// <summary>Records the tables a command names.</summary>
    public void Saw(string sql, bool lenient)
    {
        var tags = tables.TagsIn(sql, lenient);
        lock (_lock)
        {
            _tags.UnionWith(tags);
        }
    }
}
