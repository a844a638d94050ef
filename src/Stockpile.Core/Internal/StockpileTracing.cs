using System.Diagnostics;

namespace Stockpile.Internal;

/// <summary>
/// Stockpile's one <see cref="ActivitySource"/> and the tags its spans carry, named after OpenTelemetry's semantic
/// conventions where one fits. Spans are started only when something listens; no tag ever holds a key or a value.
/// </summary>
internal static class StockpileTracing
{
    public const string OperationTag = "db.operation.name";
    public const string SystemTag = "db.system";
    public const string EntityTypeTag = "stockpile.entity.type";
    public const string CountTag = "stockpile.object.count";
    public const string HitCountTag = "stockpile.store.hits";
    public const string BackfillSourceTag = "stockpile.backfill.source";

    public static ActivitySource Source { get; } = new(StockpileDiagnostics.ActivitySourceName);

    /// <summary>Starts a span for an operation on a store, or returns <see langword="null"/> when nobody listens.</summary>
    public static Activity? Start(string operation, ObjectStore store, Type? entityType = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(operation, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(OperationTag, operation);
            activity.SetTag(StockpileMetrics.TierTag, store.Name);
            if (store.DbSystem is { } system)
            {
                activity.SetTag(SystemTag, system);
            }

            if (entityType is not null)
            {
                activity.SetTag(EntityTypeTag, entityType.Name);
            }
        }

        return activity;
    }

    /// <summary>Tags a read's span with hit or miss.</summary>
    public static void Answered(Activity? activity, bool hit) =>
        activity?.SetTag(StockpileMetrics.RequestTypeTag, hit ? "hit" : "miss");

    /// <summary>Tags a batch read's span with how many look-ups it asked and how many hit.</summary>
    public static void Counted(Activity? activity, int asked, int hits)
    {
        if (activity is not null)
        {
            activity.SetTag(CountTag, asked);
            activity.SetTag(HitCountTag, hits);
        }
    }

    /// <summary>Marks a span failed with the exception's type (never its message, which may name a key); always <see langword="false"/>, for exception filters.</summary>
    public static bool Failed(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            var type = exception.GetType().FullName;
            activity.SetStatus(ActivityStatusCode.Error, type);
            activity.SetTag(StockpileMetrics.ErrorTypeTag, type);
        }

        return false;
    }
}
