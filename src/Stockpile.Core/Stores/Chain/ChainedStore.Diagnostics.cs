using System.Diagnostics;
using Stockpile.Internal;

namespace Stockpile;

public sealed partial class ChainedStore
{
    // Each chained operation checks once whether its duration or span is wanted; when neither is, it takes its plain
    // path, so a memory hit with nobody listening costs one check more and allocates nothing.

    /// <summary>
    /// The chain whose read by primary key this thread is starting inside its observed wrapper: that read re-enters
    /// <see cref="GetByPrimaryKeyCoreAsync{T, TKey}"/> for its plain body. Set only while that body runs synchronously.
    /// </summary>
    [ThreadStatic]
    private static ChainedStore? t_observing;

    /// <inheritdoc/>
    protected override ValueTask<object?> GetCoreAsync(EntityKey key, CancellationToken cancellationToken) =>
        _metrics.IsObserved ? ObservedGetAsync(key, cancellationToken) : ReadAsync(key, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// Each tier is asked once, for the look-ups still missing; what it finds is back-filled above it as one batch.
    /// Below a process-local top tier, the misses join reads of the same look-ups under way in this process (single or
    /// batch), and the rest are read as one batch that others can join in turn.
    /// </remarks>
    protected override ValueTask<object?[]> GetManyCoreAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) =>
        _metrics.IsObserved ? ObservedGetManyAsync(keys, cancellationToken) : ReadManyAsync(keys, cancellationToken);

    private ValueTask WriteAsync(IReadOnlyList<StockpileEntityType> types, IReadOnlyList<object> items, CancellationToken cancellationToken) =>
        _metrics.IsObserved ? ObservedWriteAsync(types, items, cancellationToken) : WriteTiersAsync(types, items, cancellationToken);

    private ValueTask<bool> DeleteThroughAsync(IReadOnlyList<EntityKey> keys, Func<ObjectStore, IReadOnlyList<EntityKey>, ChainWrite, CancellationToken, ValueTask<bool>> delete, CancellationToken cancellationToken) =>
        _metrics.IsObserved ? ObservedDeleteAsync(keys, delete, cancellationToken) : DeleteTiersAsync(keys, delete, cancellationToken);

    private async ValueTask<T?> ObservedGetAsync<T, TKey>(TKey primaryKey, CancellationToken cancellationToken)
        where T : class
        where TKey : notnull
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = StockpileTracing.Start("get", this, typeof(T));
        try
        {
            ValueTask<T?> read;
            var outer = t_observing;
            t_observing = this;
            try
            {
                read = GetByPrimaryKeyCoreAsync<T, TKey>(primaryKey, cancellationToken);
            }
            finally
            {
                t_observing = outer;
            }

            var value = await read.ConfigureAwait(false);
            Answered(activity, started, "get", value is not null);
            return value;
        }
        catch (Exception ex) when (Failed(activity, started, "get", ex))
        {
            throw;
        }
    }

    private async ValueTask<object?> ObservedGetAsync(EntityKey key, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = StockpileTracing.Start("get", this, key.EntityType.ClrType);
        try
        {
            var value = await ReadAsync(key, cancellationToken).ConfigureAwait(false);
            Answered(activity, started, "get", value is not null);
            return value;
        }
        catch (Exception ex) when (Failed(activity, started, "get", ex))
        {
            throw;
        }
    }

    private async ValueTask<object?[]> ObservedGetManyAsync(IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = StockpileTracing.Start("get_many", this, SingleType(keys.Select(static k => k.EntityType)));
        try
        {
            var values = await ReadManyAsync(keys, cancellationToken).ConfigureAwait(false);
            StockpileTracing.Counted(activity, keys.Count, values.Count(static v => v is not null));
            _metrics.Measured(started, Name, "get_many", null, null);
            return values;
        }
        catch (Exception ex) when (Failed(activity, started, "get_many", ex))
        {
            throw;
        }
    }

    private async ValueTask ObservedWriteAsync(IReadOnlyList<StockpileEntityType> types, IReadOnlyList<object> items, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = StockpileTracing.Start("put", this, SingleType(types));
        activity?.SetTag(StockpileTracing.CountTag, items.Count);
        try
        {
            await WriteTiersAsync(types, items, cancellationToken).ConfigureAwait(false);
            _metrics.Measured(started, Name, "put", null, null);
        }
        catch (Exception ex) when (Failed(activity, started, "put", ex))
        {
            throw;
        }
    }

    private async ValueTask<bool> ObservedDeleteAsync(IReadOnlyList<EntityKey> keys, Func<ObjectStore, IReadOnlyList<EntityKey>, ChainWrite, CancellationToken, ValueTask<bool>> delete, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = StockpileTracing.Start("delete", this, SingleType(keys.Select(static k => k.EntityType)));
        activity?.SetTag(StockpileTracing.CountTag, keys.Count);
        try
        {
            var deleted = await DeleteTiersAsync(keys, delete, cancellationToken).ConfigureAwait(false);
            _metrics.Measured(started, Name, "delete", null, null);
            return deleted;
        }
        catch (Exception ex) when (Failed(activity, started, "delete", ex))
        {
            throw;
        }
    }

    /// <summary>The entity type an operation is about, when it is about one only (a span tag, never a key).</summary>
    private static Type? SingleType(IEnumerable<StockpileEntityType> types)
    {
        Type? single = null;
        foreach (var type in types)
        {
            if (single is not null && single != type.ClrType)
            {
                return null;
            }

            single = type.ClrType;
        }

        return single;
    }

    private void Answered(Activity? activity, long started, string operation, bool hit)
    {
        StockpileTracing.Answered(activity, hit);
        _metrics.Measured(started, Name, operation, hit ? "hit" : "miss", null);
    }

    /// <summary>Records a failed operation's span status and duration; always <see langword="false"/>, for exception filters.</summary>
    private bool Failed(Activity? activity, long started, string operation, Exception exception)
    {
        StockpileTracing.Failed(activity, exception);
        _metrics.Measured(started, Name, operation, null, exception);
        return false;
    }
}
