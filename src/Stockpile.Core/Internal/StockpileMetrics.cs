using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Stockpile.Internal;

/// <summary>Stockpile's instruments. One per <see cref="IMeterFactory"/> (DI), or a shared one when there is none.</summary>
internal sealed class StockpileMetrics
{
    public const string TierTag = "stockpile.tier";
    public const string RequestTypeTag = "stockpile.store.request.type";
    public const string OperationTag = "stockpile.operation";

    private static readonly Meter s_sharedMeter = new(StockpileDiagnostics.MeterName);

    public StockpileMetrics(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(StockpileDiagnostics.MeterName) ?? s_sharedMeter;
        Requests = meter.CreateCounter<long>("stockpile.store.requests", unit: "{request}", description: "Reads answered by a tier, tagged hit or miss.");
        Backfills = meter.CreateCounter<long>("stockpile.store.backfills", unit: "{object}", description: "Objects written into a tier because a lower tier answered.");
        Errors = meter.CreateCounter<long>("stockpile.store.errors", unit: "{error}", description: "Failures of a tier, by operation.");
        Duration = meter.CreateHistogram<double>("stockpile.store.operation.duration", unit: "s", description: "Duration of chained store operations.");
    }

    public static StockpileMetrics Shared { get; } = new(null);

    public static ActivitySource ActivitySource { get; } = new(StockpileDiagnostics.ActivitySourceName);

    public Counter<long> Requests { get; }

    public Counter<long> Backfills { get; }

    public Counter<long> Errors { get; }

    public Histogram<double> Duration { get; }

    public void Hit(string tier, long count = 1)
    {
        if (Requests.Enabled)
        {
            Requests.Add(count, new KeyValuePair<string, object?>(RequestTypeTag, "hit"), new KeyValuePair<string, object?>(TierTag, tier));
        }
    }

    public void Miss(string tier, long count = 1)
    {
        if (Requests.Enabled && count > 0)
        {
            Requests.Add(count, new KeyValuePair<string, object?>(RequestTypeTag, "miss"), new KeyValuePair<string, object?>(TierTag, tier));
        }
    }

    public void Backfilled(string tier, long count)
    {
        if (Backfills.Enabled && count > 0)
        {
            Backfills.Add(count, new KeyValuePair<string, object?>(TierTag, tier));
        }
    }

    public void Error(string tier, string operation)
    {
        if (Errors.Enabled)
        {
            Errors.Add(1, new KeyValuePair<string, object?>(TierTag, tier), new KeyValuePair<string, object?>(OperationTag, operation));
        }
    }
}
