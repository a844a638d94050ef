namespace Stockpile.Internal;

/// <summary>
/// What is known of one query shape in this process: its id, the same in every process (a hash of its text, without
/// values), and the tables its SQL reads, learned from its first execution.
/// </summary>
internal sealed class QueryShape(string id)
{
    private readonly Lock _lock = new();
    private string[]? _tables;

    /// <summary>Gets the shape's id, part of every key of its results.</summary>
    public string Id { get; } = id;

    /// <summary>Gets the table tags its SQL read, or <see langword="null"/> before its first execution.</summary>
    public string[]? Tables => Volatile.Read(ref _tables);

    /// <summary>Adds the tables one execution read: the set only grows, so a table once read is always stamped.</summary>
    public void Learn(string[] tables)
    {
        lock (_lock)
        {
            var known = _tables;
            if (known is not null && tables.All(known.Contains))
            {
                return;
            }

            Volatile.Write(ref _tables, known is null ? tables : [.. known.Union(tables, StringComparer.Ordinal)]);
        }
    }
}
