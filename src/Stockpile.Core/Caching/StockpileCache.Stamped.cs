using Stockpile.Internal.Caching;

namespace Stockpile;

public sealed partial class StockpileCache
{
    /// <summary>
    /// Reads the current versions of <paramref name="tags"/>, to stamp a value that is computed afterwards: a value
    /// computed while one of the tags is removed is then stored under the old version and never served.
    /// </summary>
    internal async ValueTask<TagStamp[]> StampAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken) =>
        await StampsAsync(tags, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>
    /// Stores a value under tag versions read before it was computed (<see cref="StampAsync"/>); nothing is stored in a
    /// disabled flow or when the expiration is not positive.
    /// </summary>
    internal ValueTask SetStampedAsync<T>(string key, T value, TimeSpan? expiration, TagStamp[] stamps, CancellationToken cancellationToken)
    {
        CheckKey(key);
        var expiresAt = ExpiryOf(new StockpileCacheEntryOptions { Expiration = expiration });
        if (StockpileCaching.IsDisabled || (expiresAt is { } at && at <= _time.GetUtcNow()))
        {
            return default;
        }

        return _tier.SetAsync(key, EntryOf(value, expiresAt, stamps.Length == 0 ? null : stamps), cancellationToken);
    }

    /// <summary>Reads the versions of the tags of <paramref name="options"/> before a value is made, for <see cref="SetStampedAsync{T}(string, T, StockpileCacheEntryOptions?, TagStamp[], CancellationToken)"/>.</summary>
    internal ValueTask<TagStamp[]?> StampsOfAsync(StockpileCacheEntryOptions? options, CancellationToken cancellationToken) =>
        StockpileCaching.IsDisabled ? default : StampsAsync(options?.Tags, cancellationToken);

    /// <summary>Sets a value as <see cref="SetAsync{T}(string, T, StockpileCacheEntryOptions?, CancellationToken)"/> does, under tag versions read before it was made (<see cref="StampsOfAsync"/>).</summary>
    internal async ValueTask SetStampedAsync<T>(string key, T value, StockpileCacheEntryOptions? options, TagStamp[]? stamps, CancellationToken cancellationToken) =>
        await StoreStampedAsync(CheckKey(key), value, ExpiryOf(options), stamps, cancellationToken).ConfigureAwait(false);

    /// <summary>Removes the tags (<see cref="RemoveByTagAsync"/> for each), one write per tag.</summary>
    internal async ValueTask RemoveByTagsAsync(IEnumerable<string> tags, CancellationToken cancellationToken)
    {
        foreach (var tag in tags)
        {
            await _tier.BumpTagAsync(tag, cancellationToken).ConfigureAwait(false);
        }
    }
}
