using System.Linq.Expressions;
using Stockpile.Internal.Caching;

namespace Stockpile.Internal;

/// <summary>
/// The life of one cached query: the key from its shape and values; a hit answered with a copy; on a miss, the tag
/// versions of the tables it reads are read <b>before</b> it runs, so a result computed while a commit changes one of
/// them is stored under the old version and never served.
/// </summary>
internal static class CachedQueries
{
    public static async ValueTask<TValue> RunAsync<TValue>(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, Func<StockpileEntityQueryProvider, Expression, CancellationToken, ValueTask<TValue>> run, CancellationToken cancellationToken)
    {
        var caching = provider.Caching;
        var context = provider.Context;
        CachedQueryMarker.CheckNotTracked(expression, marker);
        if (StockpileCaching.IsDisabled || QueryCaching.HasWritten(context))
        {
            return await run(provider, CachedQueryMarker.Strip(expression, marker), cancellationToken).ConfigureAwait(false);
        }

        var options = CachedQueryMarker.OptionsOf(marker);
        var cache = caching.CacheFor(options.CacheName);
        var (shape, key) = QueryKey.Of(context, expression);
        QueryTables tables;
        TagStamp[] stamps;
        try
        {
            var (found, hit) = await cache.TryGetValueAsync<CachedQueryResult<TValue>>(key, cancellationToken).ConfigureAwait(false);
            if (found && hit is not null)
            {
                return hit.Take();
            }

            tables = QueryTables.For(context);
            stamps = await cache.StampAsync(WithUserTags(shape.Tables ?? tables.AllTags, options.Tags), cancellationToken).ConfigureAwait(false) ?? [];
        }
        catch (Exception ex) when (caching.Degrades(ex, "read", cancellationToken))
        {
            return await run(provider, CachedQueryMarker.Strip(expression, marker), cancellationToken).ConfigureAwait(false);
        }

        TValue value;
        string[] learned;
        var capture = TableCapture.Begin(tables);
        try
        {
            value = await run(provider, CachedQueryMarker.Strip(expression, marker), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            learned = TableCapture.End(capture);
        }

        shape.Learn(learned);
        if (shape.Tables is { Length: > 0 } reads && QueryCaching.MayStore(context) && Keep(stamps, reads, options.Tags) is { } kept)
        {
            try
            {
                await cache.SetStampedAsync(key, new CachedQueryResult<TValue>(value), new StockpileCacheEntryOptions { Expiration = options.Expiration }, kept, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (caching.Degrades(ex, "store", cancellationToken))
            {
                return value;
            }

            return ResultCopier<TValue>.Copy(value);
        }

        return value;
    }

    private static string[] WithUserTags(string[] tables, IReadOnlyCollection<string>? tags) =>
        tags is not { Count: > 0 } ? tables : [.. tables.Concat(tags).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The stamps of the tables the query read (and the caller's tags), out of those read before it ran; <see langword="null"/>
    /// when a table it read was not stamped before it ran (a shape whose tables grew), so nothing may be stored.
    /// </summary>
    private static TagStamp[]? Keep(TagStamp[] stamps, string[] reads, IReadOnlyCollection<string>? tags)
    {
        var keep = new HashSet<string>(reads, StringComparer.Ordinal);
        if (tags is not null)
        {
            keep.UnionWith(tags);
        }

        var kept = Array.FindAll(stamps, s => keep.Contains(s.Tag));
        return kept.Length == keep.Count ? kept : null;
    }
}
