namespace Stockpile;

/// <summary>
/// A named container of values, each made on first read by the container's generator and kept in the container's
/// cache for the container's lifetime. Register containers with <c>AddContainer</c>; find them as keyed services
/// (<c>[FromKeyedServices("name")]</c>) or through <see cref="IStockpileContainerProvider"/>.
/// </summary>
public interface IStockpileContainer
{
    /// <summary>Gets the container's name.</summary>
    string Name { get; }

    /// <summary>Gets how long values are kept: <see cref="ObjectLifetime.Default"/> for the cache's default.</summary>
    ObjectLifetime Lifetime { get; }

    /// <summary>Gets a value having a generator: whether the container has one, which makes missing values.</summary>
    bool HasGenerator { get; }

    /// <summary>
    /// Gets the value of a key. A missing key runs the generator once, however many callers miss it at the same time in
    /// this process, and the value is kept for the container's lifetime; a generator exception reaches every waiter and
    /// nothing is kept.
    /// </summary>
    /// <typeparam name="T">The value's type (the generator's, or a type it is assignable to).</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The value.</returns>
    /// <exception cref="StockpileContainerKeyNotFoundException">The key holds no value and the container has no generator.</exception>
    /// <exception cref="InvalidOperationException">The generator makes values that are not <typeparamref name="T"/>s.</exception>
    ValueTask<T> GetAsync<T>(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores a value under a key, for the container's lifetime.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    ValueTask SetAsync<T>(string key, T value, CancellationToken cancellationToken = default);

    /// <summary>Removes a key's value; the next read runs the generator again.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when the key held a value.</returns>
    ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default);
}
