namespace Stockpile.Tests.Fakes;

/// <summary>A <see cref="CoreCountingCache"/> that forwards <see cref="IStockpileCache.TryGetLocal"/> too, and counts its memory hits.</summary>
internal sealed class LocalCountingCache(IStockpileCache inner) : CoreCountingCache(inner), IStockpileCache
{
    private int _localHits;

    /// <summary>Gets how many reads memory answered through <see cref="IStockpileCache.TryGetLocal"/>.</summary>
    public int LocalHits => Volatile.Read(ref _localHits);

    public bool TryGetLocal(string key, out object? value)
    {
        if (!Inner.TryGetLocal(key, out value))
        {
            return false;
        }

        Interlocked.Increment(ref _localHits);
        return true;
    }
}
