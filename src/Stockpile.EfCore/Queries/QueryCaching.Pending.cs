namespace Stockpile.Internal;

/// <summary>
/// Table tags whose removal after a commit failed (Redis unreachable): they are kept, bounded, and removed again before
/// the next cached read, on the next commit and in the background with back-off, until every cache took them. Until
/// then a cached query reading one of those tables goes to the database on this instance, so a result stamped before
/// the commit is never served here; other instances see the commit once the retry reached the shared tier. Past
/// <see cref="MaxPendingTags"/> tags, "everything" is remembered, and the recovery flushes every query cache.
/// </summary>
internal sealed partial class QueryCaching
{
    /// <summary>How many distinct tags are remembered before the whole of every query cache is.</summary>
    public const int MaxPendingTags = 4096;

    private static readonly TimeSpan s_lastRetry = TimeSpan.FromSeconds(30);

    private readonly Lock _pendingGate = new();
    private readonly Dictionary<string, long> _pending = new(StringComparer.Ordinal);
    private long _sequence;
    private long _pendingAll;
    private volatile bool _hasPending;
    private int _retrying;
    private int _draining;

    /// <summary>Gets or sets the first background retry's delay (doubled after each failure, up to 30 s).</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets a value indicating whether a removal failed and waits to be retried.</summary>
    public bool HasPending => _hasPending;

    /// <summary>
    /// After a commit: removes <paramref name="tags"/> from every query cache, retrying the pending removals first. On
    /// failure the tags are kept for the retries and the exception is thrown (for the commit's log).
    /// </summary>
    public async ValueTask InvalidateAsync(IReadOnlyCollection<string> tags)
    {
        try
        {
            if (_hasPending)
            {
                await DrainAsync().ConfigureAwait(false);
            }

            foreach (var cache in All())
            {
                await cache.RemoveByTagsAsync(tags, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            Remember(tags);
            throw;
        }
    }

    /// <summary>
    /// Before a cached read while removals are pending: retries them; whether one of <paramref name="tags"/> still waits
    /// (then the query goes to the database and its result is not stored). A failed retry is logged, not thrown.
    /// </summary>
    public async ValueTask<bool> IsPendingAsync(string[] tags)
    {
        try
        {
            if (await DrainAsync().ConfigureAwait(false))
            {
                return false;
            }
        }
        catch (Exception ex)
        {
            Log.QueryInvalidationRetryFailed(Logger, ex);
        }

        lock (_pendingGate)
        {
            if (_pendingAll != 0)
            {
                return _hasPending;
            }

            foreach (var tag in tags)
            {
                if (_pending.ContainsKey(tag))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private void Remember(IEnumerable<string> tags)
    {
        lock (_pendingGate)
        {
            if (_pendingAll != 0)
            {
                _pendingAll = ++_sequence;
            }
            else
            {
                foreach (var tag in tags)
                {
                    _pending[tag] = ++_sequence;
                }

                if (_pending.Count > MaxPendingTags)
                {
                    _pending.Clear();
                    _pendingAll = ++_sequence;
                }
            }

            _hasPending = true;
        }

        if (Interlocked.Exchange(ref _retrying, 1) == 0)
        {
            _ = Task.Run(RetryInBackgroundAsync);
        }
    }

    /// <summary>
    /// Removes the pending tags from every cache (flushes every cache when "everything" is pending). Whether nothing is
    /// pending afterwards; <see langword="false"/> at once when another retry runs. A tag remembered again meanwhile
    /// stays pending.
    /// </summary>
    private async ValueTask<bool> DrainAsync()
    {
        if (!_hasPending)
        {
            return true;
        }

        if (Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
        {
            return false;
        }

        try
        {
            KeyValuePair<string, long>[] tags;
            long all;
            lock (_pendingGate)
            {
                tags = [.. _pending];
                all = _pendingAll;
            }

            foreach (var cache in All())
            {
                if (all != 0)
                {
                    await cache.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await cache.RemoveByTagsAsync(tags.Select(static t => t.Key), CancellationToken.None).ConfigureAwait(false);
            }

            lock (_pendingGate)
            {
                if (all != 0 && _pendingAll == all)
                {
                    _pendingAll = 0;
                }

                foreach (var (tag, remembered) in tags)
                {
                    if (_pending.TryGetValue(tag, out var now) && now == remembered)
                    {
                        _pending.Remove(tag);
                    }
                }

                _hasPending = _pendingAll != 0 || _pending.Count > 0;
                return !_hasPending;
            }
        }
        finally
        {
            Volatile.Write(ref _draining, 0);
        }
    }

    /// <summary>Retries with back-off until nothing is pending; stops when a cache is disposed.</summary>
    private async Task RetryInBackgroundAsync()
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            await Task.Delay(delay).ConfigureAwait(false);
            try
            {
                await DrainAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                Volatile.Write(ref _retrying, 0);
                return;
            }
            catch (Exception ex)
            {
                Log.QueryInvalidationRetryFailed(Logger, ex);
            }

            if (!_hasPending)
            {
                Volatile.Write(ref _retrying, 0);

                // A tag remembered after the check but before the flag cleared has not started a loop: go on for it.
                if (!_hasPending || Interlocked.Exchange(ref _retrying, 1) != 0)
                {
                    return;
                }
            }

            delay = delay >= s_lastRetry / 2 ? (delay > s_lastRetry ? delay : s_lastRetry) : delay * 2;
        }
    }
}
