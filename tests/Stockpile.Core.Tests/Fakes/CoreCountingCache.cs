namespace Stockpile.Tests.Fakes;

/// <summary>
/// An <see cref="IStockpileCache"/> forwarding every member to another and counting the calls of its generic reads
/// (<see cref="IStockpileCache.GetCoreAsync{T}"/>, <see cref="IStockpileCache.GetOrCreateCoreAsync{TState, T}"/>). It does
/// not implement <see cref="IStockpileCache.TryGetLocal"/>, so it has the interface's default (as a hand-written fake or a
/// mock would); <see cref="LocalCountingCache"/> forwards that too.
/// </summary>
internal class CoreCountingCache(IStockpileCache inner) : IStockpileCache
{
    private int _coreReads;

    /// <summary>Gets how many reads reached the generic core.</summary>
    public int CoreReads => Volatile.Read(ref _coreReads);

    protected IStockpileCache Inner => inner;

    public ValueTask<T?> GetCoreAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _coreReads);
        return inner.GetCoreAsync<T>(key, cancellationToken);
    }

    public ValueTask<T> GetOrCreateCoreAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _coreReads);
        return inner.GetOrCreateCoreAsync(key, state, factory, options, cancellationToken);
    }

    public ValueTask<T> GetOrDefaultAsync<T>(string key, T defaultValue, CancellationToken cancellationToken = default) => inner.GetOrDefaultAsync(key, defaultValue, cancellationToken);

    public ValueTask<T> GetOrDefaultAsync<T>(string key, Func<CancellationToken, ValueTask<T>> defaultFactory, CancellationToken cancellationToken = default) => inner.GetOrDefaultAsync(key, defaultFactory, cancellationToken);

    public ValueTask<bool> ContainsAsync(string key, CancellationToken cancellationToken = default) => inner.ContainsAsync(key, cancellationToken);

    public ValueTask SetAsync<T>(string key, T value, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default) => inner.SetAsync(key, value, options, cancellationToken);

    public ValueTask SetAsync<T>(string key, T value, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => inner.SetAsync(key, value, expiresAt, cancellationToken);

    public ValueTask SetForeverAsync<T>(string key, T value, CancellationToken cancellationToken = default) => inner.SetForeverAsync(key, value, cancellationToken);

    public ValueTask<bool> AddAsync<T>(string key, T value, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default) => inner.AddAsync(key, value, options, cancellationToken);

    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default) => inner.RemoveAsync(key, cancellationToken);

    public ValueTask<T?> PullAsync<T>(string key, CancellationToken cancellationToken = default) => inner.PullAsync<T>(key, cancellationToken);

    public ValueTask<long> IncrementAsync(string key, long delta = 1, CancellationToken cancellationToken = default) => inner.IncrementAsync(key, delta, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) => inner.RemoveByTagAsync(tag, cancellationToken);

    public ValueTask<IReadOnlyDictionary<string, T>> GetOrCreateManyAsync<T>(IEnumerable<string> keys, Func<IReadOnlyList<string>, CancellationToken, ValueTask<IReadOnlyDictionary<string, T>>> factory, StockpileCacheEntryOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.GetOrCreateManyAsync(keys, factory, options, cancellationToken);
}
