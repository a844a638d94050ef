namespace Stockpile.Internal.Caching;

/// <summary>
/// The primitives <see cref="StockpileCache"/> needs of a tier, each atomic on its own: what a memory tier does under a
/// lock, and a Redis tier with one command each (<c>GET</c>/<c>MGET</c>, <c>SET</c>, <c>SET NX</c>, <c>DEL</c>,
/// <c>GETDEL</c>, <c>INCRBY</c> keeping the TTL, a <c>SCAN</c> of the namespace, <c>INCR</c> of a tag's version).
/// </summary>
internal abstract class CacheTier
{
    public abstract ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken);

    public abstract ValueTask<CacheEntry?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    public abstract ValueTask SetAsync(string key, CacheEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a key whose value is about to be made (a get-or-create's flight), with a mark of the key's state that
    /// <see cref="SetUnlessWrittenSinceAsync"/> takes back; the default is <see cref="GetAsync"/> and no mark.
    /// </summary>
    public virtual async ValueTask<CacheRead> ReadForMakeAsync(string key, CancellationToken cancellationToken) =>
        new(await GetAsync(key, cancellationToken).ConfigureAwait(false), null);

    /// <summary>
    /// Stores a value the cache made after every level missed (a get-or-create's factory ran), with the
    /// <paramref name="mark"/> of the read before it (<see cref="ReadForMakeAsync"/>); the default is
    /// <see cref="SetAsync"/>. A tier may answer before a shared level has it (see <see cref="LayeredCacheTier"/>).
    /// </summary>
    public virtual ValueTask SetMadeAsync(string key, CacheEntry entry, object? mark, CancellationToken cancellationToken) => SetAsync(key, entry, cancellationToken);

    /// <summary>
    /// Stores a made value unless the key was written since the read that gave <paramref name="mark"/> (a write of
    /// another instance that must not be overtaken by this older value). A tier that can send the message of
    /// <paramref name="evictions"/> with the write itself does (<see cref="MadeWrite.Announced"/>); otherwise the
    /// caller announces a <see cref="MadeWrite.Stored"/> write. The default, for a tier no other instance writes, is
    /// <see cref="SetAsync"/>.
    /// </summary>
    public virtual async ValueTask<MadeWrite> SetUnlessWrittenSinceAsync(string key, CacheEntry entry, object? mark, CacheEvictions? evictions, CancellationToken cancellationToken)
    {
        await SetAsync(key, entry, cancellationToken).ConfigureAwait(false);
        return MadeWrite.Stored;
    }

    /// <summary>
    /// Stores several entries (a batch's made values); the default starts every <see cref="SetAsync"/> before awaiting
    /// any, so a Redis tier sends them pipelined in one round trip. When one fails, the call fails once all have ended.
    /// </summary>
    public virtual async ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<string, CacheEntry>> entries, CancellationToken cancellationToken)
    {
        var sets = new Task[entries.Count];
        for (var i = 0; i < sets.Length; i++)
        {
            sets[i] = SetAsync(entries[i].Key, entries[i].Value, cancellationToken).AsTask();
        }

        await Task.WhenAll(sets).ConfigureAwait(false);
    }

    /// <summary>Stores the entry only if the key holds no live value.</summary>
    public abstract ValueTask<bool> AddAsync(string key, CacheEntry entry, CancellationToken cancellationToken);

    public abstract ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken);

    /// <summary>Reads and removes a live value in one step.</summary>
    public abstract ValueTask<CacheEntry?> TakeAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="delta"/> to an integer value in one step, keeping its expiry and tags; a missing key starts
    /// at 0 and is kept forever.
    /// </summary>
    /// <exception cref="InvalidOperationException">The value is not an integer (nothing is changed).</exception>
    public abstract ValueTask<long> IncrementAsync(string key, long delta, CancellationToken cancellationToken);

    /// <summary>Removes every key of the tier's namespace.</summary>
    public abstract ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>The current version of each tag; 0 for a tag never removed.</summary>
    public abstract ValueTask<long[]> GetTagVersionsAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken);

    /// <summary>Whether every stamp still holds its tag's current version (a value written under them is live); the default reads the versions.</summary>
    public virtual async ValueTask<bool> AreCurrentAsync(TagStamp[] stamps, CancellationToken cancellationToken)
    {
        var versions = await GetTagVersionsAsync(Array.ConvertAll(stamps, static s => s.Tag), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < stamps.Length; i++)
        {
            if (versions[i] != stamps[i].Version)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves a tag to its next version, which makes every value stamped with an older one unreachable.</summary>
    public abstract ValueTask BumpTagAsync(string tag, CancellationToken cancellationToken);

    /// <summary>
    /// Gets the level of this tier in the process memory, when the tier has one beneath a shared level; every store of
    /// this process reaches it too. A caller that misses it joins the key's flight before the shared level is read, so a
    /// stampede reads the shared level once; a batch flight's re-read looks only there for what another flight of this
    /// process stored. <see langword="null"/> for a tier that is one level.
    /// </summary>
    public virtual CacheTier? Local => null;

    /// <summary>Gets the locks that keep processes from making one key together; <see langword="null"/> for a tier no other process shares.</summary>
    public virtual ICacheLocks? Locks => null;

    /// <summary>Lets go of what the tier holds outside the process (a subscription); the default holds nothing.</summary>
    public virtual ValueTask DisposeAsync() => default;
}
