using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace Stockpile;

/// <summary>
/// <see cref="HybridCache"/> over a <see cref="StockpileCache"/>: code written against HybridCache gets Stockpile's
/// stampede protection, tags and tiers.
/// </summary>
/// <remarks>
/// <para>Expiration: <see cref="HybridCacheEntryOptions.LocalCacheExpiration"/> when given, else
/// <see cref="HybridCacheEntryOptions.Expiration"/>, else the cache's default. Flags: <c>DisableLocalCacheRead</c> runs
/// the factory without reading; <c>DisableLocalCacheWrite</c> does not store what the factory made;
/// <c>DisableUnderlyingData</c> never runs the factory (a miss returns <see langword="default"/>). The distributed-cache
/// flags and <c>DisableCompression</c> are ignored: a cache on Redis reads and writes its memory and Redis levels as
/// one (the backplane keeps the instances' memory in step), and values are never compressed. With a flag set, a miss
/// is not shared between concurrent callers.</para>
/// <para>A key longer than <see cref="StockpileCacheOptions.MaximumKeyLength"/> is logged and not cached: the factory runs
/// and its value is returned, as HybridCache does. The tag <c>"*"</c> removes everything.</para>
/// </remarks>
internal sealed class StockpileHybridCache(StockpileCache cache, ILogger<StockpileHybridCache> logger) : HybridCache
{
    private const HybridCacheEntryFlags NoRead = HybridCacheEntryFlags.DisableLocalCacheRead;
    private const HybridCacheEntryFlags NoWrite = HybridCacheEntryFlags.DisableLocalCacheWrite;

    /// <inheritdoc/>
    public override ValueTask<T> GetOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (!cache.Accepts(key))
        {
            Log.CacheKeyRefused(logger, key?.Length ?? 0);
            return factory(state, cancellationToken);
        }

        var flags = options?.Flags ?? HybridCacheEntryFlags.None;
        return (flags & (NoRead | NoWrite | HybridCacheEntryFlags.DisableUnderlyingData)) == 0
            ? cache.GetOrCreateAsync(key, state, factory, EntryOptions(options, tags), cancellationToken)
            : GetOrCreateWithFlagsAsync(key, state, factory, flags, EntryOptions(options, tags), cancellationToken);
    }

    private async ValueTask<T> GetOrCreateWithFlagsAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, HybridCacheEntryFlags flags, StockpileCacheEntryOptions? entry, CancellationToken cancellationToken)
    {
        if ((flags & NoRead) == 0)
        {
            var (found, value) = await cache.TryGetValueAsync<T>(key, cancellationToken).ConfigureAwait(false);
            if (found)
            {
                return value!;
            }
        }

        if ((flags & HybridCacheEntryFlags.DisableUnderlyingData) != 0)
        {
            return default!;
        }

        // The tags' versions are read before the factory reads the data: a tag removed while it runs makes its value unreachable.
        var stamps = (flags & NoWrite) == 0 ? await cache.StampAsync(entry?.Tags, cancellationToken).ConfigureAwait(false) : null;
        var made = await factory(state, cancellationToken).ConfigureAwait(false);
        if ((flags & NoWrite) == 0)
        {
            await cache.SetStampedAsync(key, made, entry, stamps, cancellationToken).ConfigureAwait(false);
        }

        return made;
    }

    /// <inheritdoc/>
    public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default)
    {
        if (!cache.Accepts(key))
        {
            Log.CacheKeyRefused(logger, key?.Length ?? 0);
            return default;
        }

        return ((options?.Flags ?? HybridCacheEntryFlags.None) & NoWrite) != 0
            ? default
            : cache.SetAsync(key, value, EntryOptions(options, tags), cancellationToken);
    }

    /// <inheritdoc/>
    public override async ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        if (cache.Accepts(key))
        {
            await cache.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) =>
        tag == "*" ? cache.FlushAsync(cancellationToken) : cache.RemoveByTagAsync(tag, cancellationToken);

    private static StockpileCacheEntryOptions? EntryOptions(HybridCacheEntryOptions? options, IEnumerable<string>? tags)
    {
        var expiration = options?.LocalCacheExpiration ?? options?.Expiration;
        var tagList = tags as IReadOnlyCollection<string> ?? tags?.ToArray();
        return expiration is null && tagList is null ? null : new StockpileCacheEntryOptions { Expiration = expiration, Tags = tagList };
    }
}
