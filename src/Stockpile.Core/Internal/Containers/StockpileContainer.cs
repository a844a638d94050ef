namespace Stockpile.Internal.Containers;

/// <summary>
/// A container over a cache: its keys are the container's name, a colon and the key, so containers sharing a named cache
/// never meet. Misses go through the cache's get-or-create, which runs the generator once per key for every concurrent caller.
/// </summary>
internal sealed class StockpileContainer(string name, ObjectLifetime lifetime, IStockpileCache cache, ContainerGenerator? generator, IServiceProvider services) : IStockpileContainer
{
    private readonly StockpileCacheEntryOptions? _entry = lifetime.Kind switch
    {
        ObjectLifetimeKind.Never => new StockpileCacheEntryOptions { Expiration = Timeout.InfiniteTimeSpan },
        ObjectLifetimeKind.Relative => new StockpileCacheEntryOptions { Expiration = lifetime.Duration },
        _ => null,
    };

    private readonly string _prefix = name + ":";

    public string Name => name;

    public ObjectLifetime Lifetime => lifetime;

    public bool HasGenerator => generator is not null;

    public ValueTask<T> GetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (generator is not null && !typeof(T).IsAssignableFrom(generator.ValueType))
        {
            throw new InvalidOperationException(ExceptionMessages.ContainerValueType(name, generator.ValueType, typeof(T)));
        }

        return cache.GetOrCreateAsync(_prefix + key, (Container: this, Key: key), static async (state, ct) =>
        {
            var made = await state.Container.GenerateAsync(state.Key, ct).ConfigureAwait(false);
            return (T)made!;
        }, _entry, cancellationToken);
    }

    /// <summary>Makes a missing value, or says the key holds none when there is no generator.</summary>
    private ValueTask<object?> GenerateAsync(string key, CancellationToken cancellationToken) =>
        generator is null
            ? throw new StockpileContainerKeyNotFoundException(name, key)
            : generator.Make(services, key, cancellationToken);

    public ValueTask SetAsync<T>(string key, T value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return cache.SetAsync(_prefix + key, value, _entry, cancellationToken);
    }

    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return cache.RemoveAsync(_prefix + key, cancellationToken);
    }
}
