using System.Linq.Expressions;
using Stockpile.Internal.Caching;

namespace Stockpile.Internal;

/// <summary>
/// The life of one cached query: the key from its shape and values; a hit answered with a copy; on a miss, the tag
/// versions of the tables it reads are read <b>before</b> it runs, so a result computed while a commit changes one of
/// them is stored under the old version and never served; concurrent misses of one key in this process join the first
/// one's run (<see cref="QueryFlight"/>). <c>Cached()</c> queries and compiled cached queries (<see cref="StockpileQuery"/>)
/// share it from the key on.
/// </summary>
internal static class CachedQueries
{
    /// <summary>Answers a <c>Cached()</c> query: <paramref name="run"/> runs it on the database, given the query without the marker.</summary>
    public static ValueTask<TValue> RunAsync<TValue>(StockpileEntityQueryProvider provider, Expression expression, MethodCallExpression marker, Func<StockpileEntityQueryProvider, Expression, CancellationToken, ValueTask<TValue>> run, CancellationToken cancellationToken)
    {
        CachedQueryMarker.CheckNotTracked(expression, marker.Method.GetGenericArguments()[0]);
        if (!MayRead(provider.Context))
        {
            return run(provider, CachedQueryMarker.Strip(expression, marker), cancellationToken);
        }

        var (shape, key) = QueryKey.Of(provider, expression);
        return RunAsync(
            provider,
            shape,
            key,
            CachedQueryMarker.OptionsOf(marker),
            (Provider: provider, Expression: expression, Marker: marker, Run: run),
            static (s, ct) => s.Run(s.Provider, CachedQueryMarker.Strip(s.Expression, s.Marker), ct),
            cancellationToken);
    }

    /// <summary>Whether a cached query may read the cache: not in a disable scope, nor in a transaction that has written.</summary>
    public static bool MayRead(Microsoft.EntityFrameworkCore.DbContext context) => !StockpileCaching.IsDisabled && !QueryCaching.HasWritten(context);

    /// <summary>Answers the query of <paramref name="shape"/> under <paramref name="key"/> from the cache, or runs it (<paramref name="run"/>) and keeps its result.</summary>
    public static async ValueTask<TValue> RunAsync<TState, TValue>(StockpileEntityQueryProvider provider, QueryShape shape, string key, StockpileQueryOptions options, TState state, Func<TState, CancellationToken, ValueTask<TValue>> run, CancellationToken cancellationToken)
    {
        var caching = provider.Caching;
        var context = provider.Context;
        var cache = caching.CacheFor(options.CacheName);
        QueryTables tables;
        TagStamp[] stamps;
        if (caching.HasPending && await caching.IsPendingAsync(shape.Tables ?? QueryTables.For(context).AllTags).ConfigureAwait(false))
        {
            // A commit's removal of one of its tables has not reached the cache yet: a cached result may predate it.
            return await run(state, cancellationToken).ConfigureAwait(false);
        }

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
            return await run(state, cancellationToken).ConfigureAwait(false);
        }

        if (!QueryCaching.MayStore(context) || caching.Flights.JoinOrStart(key, stamps, out var leads) is not { } flight)
        {
            var (value, kept) = await MissAsync(caching, context, shape, key, options, cache, tables, stamps, state, run, cancellationToken).ConfigureAwait(false);
            return kept ? ResultCopier<TValue>.Copy(value) : value;
        }

        if (!leads)
        {
            if (await JoinAsync<TValue>(flight, cancellationToken).ConfigureAwait(false) is (true, var made))
            {
                return ResultCopier<TValue>.Copy(made);
            }

            // The run failed (or was cancelled by its caller): this caller runs the query itself.
            var (value, kept) = await MissAsync(caching, context, shape, key, options, cache, tables, stamps, state, run, cancellationToken).ConfigureAwait(false);
            return kept ? ResultCopier<TValue>.Copy(value) : value;
        }

        try
        {
            var (value, _) = await MissAsync(caching, context, shape, key, options, cache, tables, stamps, state, run, cancellationToken).ConfigureAwait(false);
            caching.Flights.End(key, flight);

            // The waiters copy this instance: the leader takes a copy too, so nobody changes what they copy.
            flight.Complete(value);
            return ResultCopier<TValue>.Copy(value);
        }
        catch
        {
            caching.Flights.End(key, flight);
            flight.Fail();
            throw;
        }
    }

    /// <summary>Runs the query and stores its result; <c>Kept</c> says whether the cache keeps the instance (the caller copies it).</summary>
    private static async ValueTask<(TValue Value, bool Kept)> MissAsync<TState, TValue>(QueryCaching caching, Microsoft.EntityFrameworkCore.DbContext context, QueryShape shape, string key, StockpileQueryOptions options, StockpileCache cache, QueryTables tables, TagStamp[] stamps, TState state, Func<TState, CancellationToken, ValueTask<TValue>> run, CancellationToken cancellationToken)
    {
        TValue value;
        string[] learned;
        var capture = TableCapture.Begin(tables);
        try
        {
            value = await run(state, cancellationToken).ConfigureAwait(false);
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
                return (value, false);
            }

            return (value, true);
        }

        return (value, false);
    }

    /// <summary>Waits for another caller's run of the query: its result, or <c>false</c> when it failed.</summary>
    private static async ValueTask<(bool Made, TValue Value)> JoinAsync<TValue>(QueryFlight flight, CancellationToken cancellationToken)
    {
        try
        {
            var made = await flight.Result.WaitAsync(cancellationToken).ConfigureAwait(false);
            return made is null ? (true, default!) : made is TValue value ? (true, value) : (false, default!);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, default!);
        }
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
