namespace Stockpile.Internal;

/// <summary>
/// Counts the writes to one type that started and that completed, so a reader can tell whether a write ran while it
/// read a lower tier, and then not trust what it read enough to back-fill a cache with it. Also remembers when the
/// latest write that names no keys (a removal by tag) began: a shared tier's lease fences every key a put, delete or
/// clear touches, but not the objects a removal by tag would have found there had they been written already.
/// </summary>
internal sealed class WriteEpoch
{
    private long _started;
    private long _completed;
    private long _lastUnkeyed;

    /// <summary>
    /// Gets the evictions of this type from the shared tiers that run after their caller returned (see
    /// <see cref="ChainedStoreOptions.EvictSharedTiersInBackground"/>): while one is under way, this process's reads of
    /// the objects it evicts (by primary key; of the whole type by any other key) skip the shared tiers, and its puts
    /// of the type wait for them.
    /// </summary>
    public PendingWrites SharedEvictions { get; } = new();

    /// <summary>
    /// Gets those of <see cref="SharedEvictions"/> that do not name every object they evict by its primary key (a bulk
    /// statement pinned by an alternate key: the shared tier's delete follows the pointer to an object the chain cannot
    /// name): while one is under way, this process's reads of the type skip the shared tiers by any key.
    /// </summary>
    public PendingWrites SharedEvictionsByOtherKeys { get; } = new();

    /// <summary>The value to compare later, or -1 when a write is under way now (a back-fill would be unsafe).</summary>
    public long Capture()
    {
        var started = Volatile.Read(ref _started);
        return Volatile.Read(ref _completed) == started ? started : -1;
    }

    /// <summary>Whether no write started since <paramref name="captured"/> and none is under way.</summary>
    public bool Unchanged(long captured) =>
        captured >= 0 && Volatile.Read(ref _started) == captured && Volatile.Read(ref _completed) == captured;

    /// <summary>Starts a write; the ticket is negative when another write was under way at that moment.</summary>
    public long Begin()
    {
        var completed = Volatile.Read(ref _completed);
        var mine = Interlocked.Increment(ref _started);
        return completed == mine - 1 ? mine : -mine;
    }

    /// <summary>Starts a write that names no keys (<see cref="UnkeyedSince"/>); the ticket is as <see cref="Begin"/>'s.</summary>
    public long BeginUnkeyed()
    {
        var ticket = Begin();
        var mine = Math.Abs(ticket);
        var last = Volatile.Read(ref _lastUnkeyed);
        while (last < mine)
        {
            var seen = Interlocked.CompareExchange(ref _lastUnkeyed, mine, last);
            if (seen == last)
            {
                break;
            }

            last = seen;
        }

        return ticket;
    }

    /// <summary>Whether a write that names no keys began since <paramref name="captured"/> (or one was under way then).</summary>
    public bool UnkeyedSince(long captured) => captured < 0 || Volatile.Read(ref _lastUnkeyed) > captured;

    /// <summary>Whether the write holding <paramref name="ticket"/> ran alone: none under way when it began, none begun since.</summary>
    public bool RanAlone(long ticket) => ticket > 0 && Volatile.Read(ref _started) == ticket;

    public void End() => Interlocked.Increment(ref _completed);

    /// <summary>Whether any of the captures was taken while a write was under way (a plain loop: this runs on every back-fill).</summary>
    public static bool AnyUnsafe(IReadOnlyList<(WriteEpoch Epoch, long Captured)> captures)
    {
        for (var i = 0; i < captures.Count; i++)
        {
            if (captures[i].Captured < 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a write that names no keys began since any of the captures (see <see cref="UnkeyedSince"/>).</summary>
    public static bool AnyUnkeyedSince(IReadOnlyList<(WriteEpoch Epoch, long Captured)> captures)
    {
        for (var i = 0; i < captures.Count; i++)
        {
            if (captures[i].Epoch.UnkeyedSince(captures[i].Captured))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether no write started since any of the captures, nor is under way.</summary>
    public static bool AllUnchanged(IReadOnlyList<(WriteEpoch Epoch, long Captured)> captures)
    {
        for (var i = 0; i < captures.Count; i++)
        {
            if (!captures[i].Epoch.Unchanged(captures[i].Captured))
            {
                return false;
            }
        }

        return true;
    }
}
