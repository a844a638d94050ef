using Stockpile.Internal.Caching;

namespace Stockpile;

public sealed partial class StockpileCache
{
    /// <summary>
    /// Reads the current versions of <paramref name="tags"/> before the value they will stamp is made: a value made
    /// while one of the tags is removed is then stored under the old version and never served. <see langword="null"/>
    /// without tags, or in a disabled flow (which stores nothing).
    /// </summary>
    internal ValueTask<TagStamp[]?> StampAsync(IReadOnlyCollection<string>? tags, CancellationToken cancellationToken) =>
        StockpileCaching.IsDisabled ? default : StampsAsync(tags, cancellationToken);

    /// <summary>Sets a value as <see cref="SetAsync{T}(string, T, StockpileCacheEntryOptions?, CancellationToken)"/> does, under tag versions read before it was made (<see cref="StampAsync"/>).</summary>
    internal async ValueTask SetStampedAsync<T>(string key, T value, StockpileCacheEntryOptions? options, TagStamp[]? stamps, CancellationToken cancellationToken) =>
        await StoreStampedAsync(CheckKey(key), value, ExpiryOf(options), stamps is { Length: 0 } ? null : stamps, cancellationToken).ConfigureAwait(false);

    /// <summary>Removes the tags (<see cref="RemoveByTagAsync"/> for each), one write per tag.</summary>
    internal async ValueTask RemoveByTagsAsync(IEnumerable<string> tags, CancellationToken cancellationToken)
    {
        foreach (var tag in tags)
        {
            await _tier.BumpTagAsync(tag, cancellationToken).ConfigureAwait(false);
        }
    }
}
