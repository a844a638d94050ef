using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Stockpile.Internal;

/// <summary>
/// Stockpile's instruments. One per <see cref="IMeterFactory"/> (DI), or, without one, on a single shared meter that is
/// created the first time something needs it (never beside a factory's meter just because a span was started).
/// </summary>
internal sealed class StockpileMetrics
{
    public const string TierTag = "stockpile.tier";
    public const string RequestTypeTag = "stockpile.store.request.type";
    public const string OperationTag = "stockpile.operation";
    public const string ErrorTypeTag = "error.type";
    public const string EvictionReasonTag = "stockpile.eviction.reason";
    public const string DirectionTag = "stockpile.invalidation.direction";
    public const string InvalidationKindTag = "stockpile.invalidation.kind";

    private static Meter? s_sharedMeter;
    private static StockpileMetrics? s_shared;

    // The memory tiers of the chains these metrics serve; weak, so a store dropped by its owner is not kept alive.
    private readonly ConditionalWeakTable<MemoryStore, string> _memoryTiers = new();

    public StockpileMetrics(IMeterFactory? meterFactory)
    {
        Meter = meterFactory?.Create(StockpileDiagnostics.MeterName) ?? SharedMeter;
        Requests = Meter.CreateCounter<long>("stockpile.store.requests", unit: "{request}", description: "Reads answered by a tier, tagged hit or miss.");
        Backfills = Meter.CreateCounter<long>("stockpile.store.backfills", unit: "{object}", description: "Objects written into a tier because a lower tier answered.");
        Errors = Meter.CreateCounter<long>("stockpile.store.errors", unit: "{error}", description: "Failures of a tier, by operation.");
        Duration = Meter.CreateHistogram<double>("stockpile.store.operation.duration", unit: "s", description: "Duration of chained store operations (get, get_many, put, delete).");
        BackgroundWrites = Meter.CreateUpDownCounter<long>("stockpile.background.pending", unit: "{write}", description: "Writes under way after their caller was answered: a chain's back-fill of a shared tier, a cache's shared write of a value it made.");
        Invalidations = Meter.CreateCounter<long>("stockpile.invalidations", unit: "{invalidation}", description: "Invalidations a chain handed to its backplane (sent) or took from it (received), by kind: evict (one per key) or clear.");
        Meter.CreateObservableGauge("stockpile.memory.entries", ObserveEntries, unit: "{object}", description: "Objects a memory tier holds (expired ones until they are swept).");
        Meter.CreateObservableCounter("stockpile.memory.evictions", ObserveEvictions, unit: "{object}", description: "Objects a memory tier removed by itself, by reason: size (to make room) or expired.");
    }

    /// <summary>Gets the one meter of every Stockpile assembly's instruments when no <see cref="IMeterFactory"/> is given.</summary>
    public static Meter SharedMeter => LazyInitializer.EnsureInitialized(ref s_sharedMeter, static () => new Meter(StockpileDiagnostics.MeterName));

    public static StockpileMetrics Shared => LazyInitializer.EnsureInitialized(ref s_shared, static () => new StockpileMetrics(null));

    public static ActivitySource ActivitySource => StockpileTracing.Source;

    public Meter Meter { get; }

    public Counter<long> Requests { get; }

    public Counter<long> Backfills { get; }

    public Counter<long> Errors { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> Invalidations { get; }

    public UpDownCounter<long> BackgroundWrites { get; }

    /// <summary>Gets a value indicating whether an operation's duration or span is wanted; when not, operations take their plain path.</summary>
    public bool IsObserved => Duration.Enabled || StockpileTracing.Source.HasListeners();

    /// <summary>Reports the memory stores among a chain's tiers in <c>stockpile.memory.entries</c> and <c>stockpile.memory.evictions</c>.</summary>
    public void Track(IEnumerable<ObjectStore> tiers)
    {
        foreach (var tier in tiers)
        {
            if (tier is MemoryStore memory)
            {
                _memoryTiers.AddOrUpdate(memory, memory.Name);
            }
        }
    }

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

    /// <summary>Counts a background write in (<paramref name="delta"/> 1) or out (-1), whatever its outcome (failures count in <see cref="Errors"/> too).</summary>
    public void Background(string tier, long delta)
    {
        if (BackgroundWrites.Enabled)
        {
            BackgroundWrites.Add(delta, new KeyValuePair<string, object?>(TierTag, tier));
        }
    }

    public void Error(string tier, string operation)
    {
        if (Errors.Enabled)
        {
            Errors.Add(1, new KeyValuePair<string, object?>(TierTag, tier), new KeyValuePair<string, object?>(OperationTag, operation));
        }
    }

    /// <summary>Counts invalidations sent or received; always <see langword="true"/>, so a send can be counted inside its condition.</summary>
    public bool Invalidated(string chain, string direction, string kind, long count)
    {
        if (Invalidations.Enabled && count > 0)
        {
            Invalidations.Add(
                count,
                new KeyValuePair<string, object?>(TierTag, chain),
                new KeyValuePair<string, object?>(DirectionTag, direction),
                new KeyValuePair<string, object?>(InvalidationKindTag, kind));
        }

        return true;
    }

    private IEnumerable<Measurement<int>> ObserveEntries()
    {
        foreach (var (memory, name) in _memoryTiers)
        {
            yield return new Measurement<int>(memory.Count, new KeyValuePair<string, object?>(TierTag, name));
        }
    }

    private IEnumerable<Measurement<long>> ObserveEvictions()
    {
        foreach (var (memory, name) in _memoryTiers)
        {
            yield return new Measurement<long>(memory.SizeEvictions, new KeyValuePair<string, object?>(TierTag, name), new KeyValuePair<string, object?>(EvictionReasonTag, "size"));
            yield return new Measurement<long>(memory.Expirations, new KeyValuePair<string, object?>(TierTag, name), new KeyValuePair<string, object?>(EvictionReasonTag, "expired"));
        }
    }

    /// <summary>Records a chained operation's duration, tagged with the chain, the operation, hit or miss (reads) and the exception type (failures).</summary>
    public void Measured(long startTimestamp, string store, string operation, string? requestType, Exception? failure)
    {
        if (!Duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { TierTag, store },
            { OperationTag, operation },
        };
        if (requestType is not null)
        {
            tags.Add(RequestTypeTag, requestType);
        }

        if (failure is not null)
        {
            tags.Add(ErrorTypeTag, failure.GetType().FullName);
        }

        Duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }
}
