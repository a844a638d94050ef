using Microsoft.EntityFrameworkCore;

namespace Stockpile.Internal;

internal sealed partial class CommitCoordinator
{
    /// <summary>
    /// Updates the cache tiers after a commit: evicts old keys and evict-policy entities, writes write-through entities'
    /// committed state, and evicts those again if another commit of the same rows overlapped. Never throws: the data is
    /// committed, so a cache failure is logged and counted, and the caller's save or commit still succeeds.
    /// </summary>
    public async ValueTask ApplyAsync(CommitBatch batch)
    {
        if (batch.IsTablesOnly)
        {
            if (batch.Ticket is { } claim)
            {
                Tracker.End(claim);
            }

            await InvalidateTablesAsync(batch).ConfigureAwait(false);
            await BumpTokensAsync(batch).ConfigureAwait(false);
            await CompleteOutboxAsync(batch).ConfigureAwait(false);
            return;
        }

        CommitTicket? ticket = null;
        var evict = new HashSet<EntityKey>(KeyCount(batch));
        var refresh = new Dictionary<EntityKey, CapturedChange>();
        try
        {
            ticket = batch.Ticket ??= Tracker.Begin(batch.Stripes(keysFinal: true));
            evict.UnionWith(batch.Keys);
            foreach (var change in batch.Changes)
            {
                AddAll(evict, change.OldKeys);
                if (change.PrimaryKey is not { } primaryKey)
                {
                    continue;
                }

                if (change.State == EntityState.Deleted || !change.WriteThrough)
                {
                    refresh.Remove(primaryKey);
                    AddAll(evict, change.NewKeys);
                }
                else
                {
                    refresh[primaryKey] = change;
                }
            }

            if (refresh.Count > 0 && !Tracker.IsClean(ticket))
            {
                Log.WriteThroughDowngraded(_logger, refresh.Count);
                evict.UnionWith(refresh.Values.SelectMany(static c => c.NewKeys));
                refresh.Clear();
            }

            // What is written through replaces the cached entry under its current keys: only its old keys need evicting.
            foreach (var change in refresh.Values)
            {
                evict.ExceptWith(change.NewKeys);
            }

            if (evict.Count > 0 && refresh.Count == 0 && !batch.HasOutboxWork && Chain.EvictsSharedTiersInBackground)
            {
                // Memory now, Redis and the message behind (see ChainedStoreOptions.EvictSharedTiersInBackground); a
                // failure there is handled as an awaited one is here below, while the keys still count as evicting.
                // A tracked change's keys come with its primary key; a bulk statement's (or an outbox row's) may not,
                // and then the chain skips Redis for their whole types, not only for the objects named.
                var keys = evict.ToArray();
                _ = await Chain.InvalidateBehindAsync(keys, async ex =>
                {
                    Failed(ex);
                    await EvictQuietlyAsync(keys, []).ConfigureAwait(false);
                }, NamesEveryObject(batch)).ConfigureAwait(false);
            }
            else if (evict.Count > 0)
            {
                await Chain.InvalidateAsync(evict, CancellationToken.None).ConfigureAwait(false);
            }

            foreach (var type in batch.Types)
            {
                await Chain.InvalidateAsync(type, CancellationToken.None).ConfigureAwait(false);
            }

            if (refresh.Count > 0)
            {
                await WriteThroughAsync(refresh.Values, ticket).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            batch.Faulted = true;
            Failed(ex);
            await EvictQuietlyAsync(evict.Concat(refresh.Values.SelectMany(static c => c.NewKeys)), batch.Types).ConfigureAwait(false);
        }
        finally
        {
            if (ticket is not null)
            {
                Tracker.End(ticket);
            }
        }

        await InvalidateTablesAsync(batch).ConfigureAwait(false);
        await BumpTokensAsync(batch).ConfigureAwait(false);
        await CompleteOutboxAsync(batch).ConfigureAwait(false);
    }

    /// <summary>Adds the look-ups of an array (<see cref="HashSet{T}.UnionWith"/> would box an enumerator per array: two per row).</summary>
    private static void AddAll(HashSet<EntityKey> set, EntityKey[] keys)
    {
        foreach (var key in keys)
        {
            set.Add(key);
        }
    }

    /// <summary>How many look-ups the batch names at most: the eviction's set is made that size once instead of growing.</summary>
    private static int KeyCount(CommitBatch batch)
    {
        var count = batch.Keys.Count;
        foreach (var change in batch.Changes)
        {
            count += change.OldKeys.Length + change.NewKeys.Length;
        }

        return count;
    }

    /// <summary>Whether every evicted object is named by its primary key (the chain then skips Redis, while it evicts, for those objects only).</summary>
    private static bool NamesEveryObject(CommitBatch batch)
    {
        foreach (var key in batch.Keys)
        {
            if (!key.Key.IsPrimary)
            {
                return false;
            }
        }

        foreach (var change in batch.Changes)
        {
            if (change.PrimaryKey is not null)
            {
                continue;
            }

            foreach (var key in change.OldKeys)
            {
                if (!key.Key.IsPrimary)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private async ValueTask WriteThroughAsync(IEnumerable<CapturedChange> changes, CommitTicket ticket)
    {
        var written = changes.ToArray();
        var keys = Array.ConvertAll(written, static c => c.PrimaryKey!);
        if (Chain.IsSourceOfTruth)
        {
            // The chain reads the rows back as committed (a partial update left the other columns as the database has
            // them; a later commit must win): reading them here first would read them twice.
            await Chain.RefreshFromSourceAsync(keys, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            // No source to read from: what was saved whole is put, the rest evicted.
            var unknown = written.Where(static c => c.Snapshot is null).Select(static c => c.PrimaryKey!).ToArray();
            if (unknown.Length > 0)
            {
                await Chain.InvalidateAsync(unknown, CancellationToken.None).ConfigureAwait(false);
            }

            await Chain.RefreshAsync(written.Select(static c => c.Snapshot).OfType<object>(), CancellationToken.None).ConfigureAwait(false);
        }

        if (!Tracker.IsClean(ticket))
        {
            // Another commit of these rows began meanwhile; what was just written may be the older state.
            Log.WriteThroughDowngraded(_logger, keys.Length);
            await Chain.InvalidateAsync(keys, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async ValueTask EvictQuietlyAsync(IEnumerable<EntityKey> keys, IEnumerable<Type> types)
    {
        try
        {
            await Chain.InvalidateAsync(keys.Distinct().ToArray(), CancellationToken.None).ConfigureAwait(false);
            foreach (var type in types)
            {
                await Chain.InvalidateAsync(type, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Failed(ex);
        }
    }

    /// <summary>Logs and counts a cache update that failed after a commit; the chain may be gone (disposed, or its container).</summary>
    private void Failed(Exception exception)
    {
        var name = _chain?.Name ?? "(unresolved chain)";
        _metrics.Error(name, "commit");
        Log.CommitApplyFailed(_logger, name, exception);
    }
}
