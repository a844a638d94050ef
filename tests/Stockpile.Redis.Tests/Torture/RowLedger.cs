namespace Stockpile.Redis.Tests.Torture;

/// <summary>
/// What the workload committed, row by row. Writes of one row take its lock, so its versions commit in order; a
/// version counts once the write that made it has returned. A reader notes the floors before it reads: whatever it
/// then gets from a tier may not be older.
/// </summary>
internal sealed class RowLedger
{
    private readonly Dictionary<int, Entry> _rows;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int Id, long Version), bool> _rolledBack = new();

    public RowLedger(IEnumerable<int> ids, int instances) =>
        _rows = ids.ToDictionary(id => id, _ => new Entry(instances));

    /// <summary>Takes the locks of <paramref name="ids"/> (in id order, so two writers never wait on each other).</summary>
    public async Task<IDisposable> LockAsync(params int[] ids)
    {
        var ordered = ids.Distinct().Order().ToArray();
        foreach (var id in ordered)
        {
            await _rows[id].Lock.WaitAsync();
        }

        return new Release(this, ordered);
    }

    /// <summary>
    /// Issues the version the next write of a row makes (call under the row's lock). Never issued twice: a write that
    /// failed may or may not have reached the database, and the next one must still be told apart from it.
    /// </summary>
    public long NextVersion(int id) => ++_rows[id].Issued;

    /// <summary>Records a returned <paramref name="write"/> of <paramref name="version"/> through <paramref name="instance"/>.</summary>
    public void Committed(int id, long version, int instance, string write)
    {
        var entry = _rows[id];
        Volatile.Write(ref entry.LastWrite, $"{write} through instance {instance}");
        Volatile.Write(ref entry.Committed, version);
        Volatile.Write(ref entry.ByInstance[instance], version);
    }

    /// <summary>Records a version the database rolled back (its commit was refused): no tier may ever serve it.</summary>
    public void RolledBack(int id, long version) => _rolledBack[(id, version)] = true;

    /// <summary>Gets whether the database rolled back a version of a row.</summary>
    public bool IsRolledBack(int id, long version) => _rolledBack.ContainsKey((id, version));

    /// <summary>Gets what the last returned write of a row was (for the report of a stale read).</summary>
    public string LastWrite(int id) => Volatile.Read(ref _rows[id].LastWrite);

    /// <summary>Gets the last version any write returned.</summary>
    public long Floor(int id) => Volatile.Read(ref _rows[id].Committed);

    /// <summary>Gets the last version a write through <paramref name="instance"/> returned.</summary>
    public long Floor(int id, int instance) => Volatile.Read(ref _rows[id].ByInstance[instance]);

    private sealed class Entry(int instances)
    {
        public readonly SemaphoreSlim Lock = new(1, 1);
        public readonly long[] ByInstance = new long[instances];
        public long Committed;
        public long Issued;
        public string LastWrite = "seed";
    }

    private sealed class Release(RowLedger ledger, int[] ids) : IDisposable
    {
        public void Dispose()
        {
            foreach (var id in ids)
            {
                ledger._rows[id].Lock.Release();
            }
        }
    }
}
