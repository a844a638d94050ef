using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Stockpile.Internal.Caching;

/// <summary>
/// The process memory over a shared tier (Redis): reads try memory first and back-fill it from the shared tier; every
/// write goes to the shared tier first, then to memory (or evicts memory where the shared tier computed the value).
/// Tag versions live only in the shared tier, so removing a tag on one instance reaches every instance's memory hits.
/// With <paramref name="evictions"/>, every write is announced after it reached the shared tier, so other instances
/// evict the key from their memory (a publishing failure is the backplane's to keep and send again: the shared tier
/// holds the new value). The shared tier's locks are the layered tier's (the process memory needs none).
/// </summary>
/// <remarks>
/// A value the cache made after every level missed (<see cref="SetMadeAsync"/>) goes to memory at once and reaches the
/// shared tier, then the other instances, in the background (see <c>LayeredCacheTier.Background.cs</c>).
/// </remarks>
internal sealed partial class LayeredCacheTier(MemoryCacheTier memory, CacheTier shared, CacheEvictions? evictions = null, ILogger? logger = null, StockpileMetrics? metrics = null, string name = "cache") : CacheTier
{
    /// <summary>Gets the process level, which other instances' writes evict through the backplane.</summary>
    public MemoryCacheTier Memory => memory;

    /// <summary>Gets the shared level (Redis), for benchmarks that call it alone.</summary>
    public CacheTier Shared => shared;

    /// <inheritdoc/>
    public override CacheTier Local => memory;

    /// <summary>Gets where writes are announced to other instances; <see langword="null"/> for none.</summary>
    public CacheEvictions? Evictions => evictions;

    /// <remarks>A memory hit answers synchronously, without an async state machine: it is the cache's hot path.</remarks>
    public override ValueTask<CacheEntry?> GetAsync(string key, CancellationToken cancellationToken) =>
        memory.Get(key) is { } hit ? new(hit) : GetSharedAsync(key, cancellationToken);

    private async ValueTask<CacheEntry?> GetSharedAsync(string key, CancellationToken cancellationToken)
    {
        var entry = await shared.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (entry is not null)
        {
            await memory.SetAsync(key, entry, cancellationToken).ConfigureAwait(false);
        }

        return entry;
    }

    /// <summary>
    /// Reads memory, then the shared tier with its mark (back-filling memory as <see cref="GetAsync"/> does). A tagged
    /// entry in memory may be one a removed tag made stale: the shared tier is read then, so that a value made in its
    /// place carries the mark of what the shared tier holds.
    /// </summary>
    /// <remarks>Its state machine is pooled (a flight's read, awaited once): every miss of a get-or-create runs it.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<CacheRead> ReadForMakeAsync(string key, CancellationToken cancellationToken)
    {
        if (memory.Get(key) is { Tags: null } hit)
        {
            return new CacheRead(hit, null);
        }

        var read = await shared.ReadForMakeAsync(key, cancellationToken).ConfigureAwait(false);
        if (read.Entry is { } entry)
        {
            await memory.SetAsync(key, entry, cancellationToken).ConfigureAwait(false);
        }

        return read;
    }

    public override async ValueTask<CacheEntry?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var entries = await memory.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
        var missed = new List<int>();
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i] is null)
            {
                missed.Add(i);
            }
        }

        if (missed.Count == 0)
        {
            return entries;
        }

        var read = await shared.GetManyAsync(missed.ConvertAll(i => keys[i]), cancellationToken).ConfigureAwait(false);
        for (var j = 0; j < read.Length; j++)
        {
            if (read[j] is { } entry)
            {
                entries[missed[j]] = entry;
                await memory.SetAsync(keys[missed[j]], entry, cancellationToken).ConfigureAwait(false);
            }
        }

        return entries;
    }

    public override async ValueTask SetAsync(string key, CacheEntry entry, CancellationToken cancellationToken)
    {
        await AfterMadeWriteAsync(key).ConfigureAwait(false);
        await shared.SetAsync(key, entry, cancellationToken).ConfigureAwait(false);
        await memory.SetAsync(key, entry, cancellationToken).ConfigureAwait(false);
        await PublishAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores the batch in the shared tier, then in memory, then tells the other instances in one message.</summary>
    public override async ValueTask SetManyAsync(IReadOnlyList<KeyValuePair<string, CacheEntry>> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            await AfterMadeWriteAsync(entry.Key).ConfigureAwait(false);
        }

        await shared.SetManyAsync(entries, cancellationToken).ConfigureAwait(false);
        var keys = new string[entries.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = entries[i].Key;
            await memory.SetAsync(keys[i], entries[i].Value, cancellationToken).ConfigureAwait(false);
        }

        if (evictions is not null)
        {
            await evictions.PublishManyAsync(keys, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask<bool> AddAsync(string key, CacheEntry entry, CancellationToken cancellationToken)
    {
        await AfterMadeWriteAsync(key).ConfigureAwait(false);
        var added = await shared.AddAsync(key, entry, cancellationToken).ConfigureAwait(false);
        if (added)
        {
            await memory.SetAsync(key, entry, cancellationToken).ConfigureAwait(false);
            await PublishAsync(key, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await memory.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return added;
    }

    public override async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken)
    {
        await AfterMadeWriteAsync(key).ConfigureAwait(false);
        var removed = await shared.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        await memory.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        await PublishAsync(key, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    public override async ValueTask<CacheEntry?> TakeAsync(string key, CancellationToken cancellationToken)
    {
        await AfterMadeWriteAsync(key).ConfigureAwait(false);
        await memory.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        var taken = await shared.TakeAsync(key, cancellationToken).ConfigureAwait(false);
        await PublishAsync(key, cancellationToken).ConfigureAwait(false);
        return taken;
    }

    public override async ValueTask<long> IncrementAsync(string key, long delta, CancellationToken cancellationToken)
    {
        await AfterMadeWriteAsync(key).ConfigureAwait(false);
        var value = await shared.IncrementAsync(key, delta, cancellationToken).ConfigureAwait(false);
        await memory.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        await PublishAsync(key, cancellationToken).ConfigureAwait(false);
        return value;
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _madeWrites.WhenDrainedAsync().ConfigureAwait(false);
        await shared.FlushAsync(cancellationToken).ConfigureAwait(false);
        await memory.FlushAsync(cancellationToken).ConfigureAwait(false);
        await PublishAsync(null, cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask<long[]> GetTagVersionsAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken) =>
        shared.GetTagVersionsAsync(tags, cancellationToken);

    public override ValueTask<bool> AreCurrentAsync(TagStamp[] stamps, CancellationToken cancellationToken) => shared.AreCurrentAsync(stamps, cancellationToken);

    public override ValueTask BumpTagAsync(string tag, CancellationToken cancellationToken) => shared.BumpTagAsync(tag, cancellationToken);

    public override ICacheLocks? Locks => shared.Locks;

    public override async ValueTask DisposeAsync()
    {
        // The made values on their way to Redis land (and are announced) before the subscription goes.
        await _madeWrites.WhenDrainedAsync().ConfigureAwait(false);
        if (evictions is not null)
        {
            await evictions.DisposeAsync().ConfigureAwait(false);
        }

        await shared.DisposeAsync().ConfigureAwait(false);
    }

    private ValueTask PublishAsync(string? key, CancellationToken cancellationToken) =>
        evictions is null ? default : evictions.PublishAsync(key, cancellationToken);
}
