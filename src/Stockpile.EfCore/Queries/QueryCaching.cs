using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Stockpile.Internal;

/// <summary>
/// The caches an interceptor's cached queries use, and when they may be used: the default cache and the named ones of
/// the container (or the one cache of <see cref="StockpileInterceptorOptions.QueryCache"/>). A commit removes its tables'
/// tags from every one of them, so a result cached in any cache, by any instance, is dropped.
/// </summary>
internal sealed partial class QueryCaching
{
    private readonly Func<string?, StockpileCache?> _resolve;
    private readonly Func<IEnumerable<string>> _names;
    private readonly ConcurrentDictionary<string, StockpileCache> _caches = new(StringComparer.Ordinal);
    private StockpileCache? _default;
    private bool? _isOn;

    /// <summary>Gets the cached queries running on a miss, which concurrent misses of the same key join.</summary>
    public QueryFlights Flights { get; } = new();

    /// <summary>Gets or sets where a cache failure of a cached query is logged.</summary>
    public Microsoft.Extensions.Logging.ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public QueryCaching(Func<string?, StockpileCache?> resolve, Func<IEnumerable<string>> names)
    {
        _resolve = resolve;
        _names = names;
    }

    /// <summary>The query caching of the interceptor registered on a context.</summary>
    public static QueryCaching Of(DbContext context)
    {
        var interceptors = context.GetService<IDbContextOptions>().FindExtension<Microsoft.EntityFrameworkCore.Infrastructure.CoreOptionsExtension>()?.Interceptors;
        return interceptors?.OfType<StockpileSaveChangesInterceptor>().FirstOrDefault()?.Coordinator.Queries
            ?? throw new InvalidOperationException(EfExceptionMessages.QueryNotIntercepted(typeof(object)));
    }

    /// <exception cref="InvalidOperationException">No such cache is registered.</exception>
    public StockpileCache CacheFor(string? name)
    {
        if (name is null)
        {
            return _default ??= _resolve(null) ?? throw new InvalidOperationException(EfExceptionMessages.NoQueryCache(null));
        }

        return _caches.TryGetValue(name, out var cache)
            ? cache
            : _caches.GetOrAdd(name, n => _resolve(n) ?? throw new InvalidOperationException(EfExceptionMessages.NoQueryCache(n)));
    }

    /// <summary>Gets a value indicating whether any cache can keep query results: when none can, commits skip the tables.</summary>
    public bool IsOn => _isOn ??= All().Any();

    /// <summary>Every cache a cached query may have used: the default one and every named one.</summary>
    public IEnumerable<StockpileCache> All()
    {
        if ((_default ??= _resolve(null)) is { } main)
        {
            yield return main;
        }

        foreach (var name in _names())
        {
            yield return CacheFor(name);
        }
    }

    /// <summary>
    /// Whether a cache failure is an outage (Redis unreachable, a timeout), which degrades to the database: logged, not
    /// thrown. A value that cannot be serialized or keyed, and a caller's cancellation, are thrown.
    /// </summary>
    public bool Degrades(Exception exception, string operation, CancellationToken cancellationToken)
    {
        if (exception is StockpileSerializationException or NotSupportedException or ArgumentException
            || (exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return false;
        }

        Log.QueryCacheFailed(Logger, operation, exception);
        return true;
    }

    /// <summary>Whether the context's transaction has written (its results are not committed), or an ambient one is open.</summary>
    public static bool HasWritten(DbContext context)
    {
        if (System.Transactions.Transaction.Current is not null)
        {
            return true;
        }

        return context.Database.CurrentTransaction is { } transaction
            && TransactionBuffer.Find(transaction.GetDbTransaction()) is { } buffer
            && buffer.Batches().Length > 0;
    }

    /// <summary>Whether a result read now may be stored: not inside a transaction, which may read an older snapshot than the tags say.</summary>
    public static bool MayStore(DbContext context) => context.Database.CurrentTransaction is null && System.Transactions.Transaction.Current is null;
}
