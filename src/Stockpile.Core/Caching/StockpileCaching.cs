namespace Stockpile;

/// <summary>
/// Turns Stockpile's caches off for the current async flow, the way <c>TransactionScope</c> scopes a transaction:
/// <c>using (StockpileCaching.Disable()) { ... }</c>.
/// </summary>
/// <remarks>
/// <para>Inside a scope, nothing is read from a cache. A <see cref="ChainedStore"/> reads only its bottom tier (the
/// source of truth) and back-fills nothing; an <see cref="IStockpileCache"/> misses every get and runs every
/// get-or-create factory without storing the result.</para>
/// <para>Writes inside a scope go to the source of truth and <b>evict</b> the same keys from the caches instead of
/// storing into them: a chain puts into its bottom tier and deletes from the tiers above, and a string cache's set
/// removes the key. Skipping the caches altogether would leave them holding a state older than the database.
/// Removals, flushes, tag removals and counters run as usual.</para>
/// <para>The scope flows with the async flow (an <see cref="AsyncLocal{T}"/>): into awaited calls and tasks started
/// inside it, never to unrelated flows. Scopes nest; disposing one restores the state before it. Until the first scope
/// is opened in the process, the check costs one static field read.</para>
/// </remarks>
public static class StockpileCaching
{
    private static readonly AsyncLocal<int> s_depth = new();
    private static volatile bool s_everDisabled;

    /// <summary>Gets a value indicating whether caching is disabled in the current async flow.</summary>
    public static bool IsDisabled => s_everDisabled && s_depth.Value > 0;

    /// <summary>Disables Stockpile's caches in the current async flow until the returned scope is disposed.</summary>
    /// <returns>The scope; dispose it (with <c>using</c>) in the flow that opened it to restore the previous state.</returns>
    public static IDisposable Disable()
    {
        s_everDisabled = true;
        var previous = s_depth.Value;
        s_depth.Value = previous + 1;
        return new Scope(previous);
    }

    private sealed class Scope(int previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                s_depth.Value = previous;
            }
        }
    }
}
