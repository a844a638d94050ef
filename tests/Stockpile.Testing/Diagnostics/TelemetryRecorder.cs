using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Stockpile.Testing.Diagnostics;

/// <summary>One measurement a <see cref="TelemetryRecorder"/> heard: the instrument, its value and its tags.</summary>
public sealed record Measured(Instrument Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string? Tag(string name) => Tags.TryGetValue(name, out var value) ? value?.ToString() : null;
}

/// <summary>
/// A real <see cref="ActivityListener"/> and <see cref="MeterListener"/> on Stockpile's source and meter (no mocks):
/// keeps every span that ends and every measurement, optionally of one meter only.
/// </summary>
public sealed class TelemetryRecorder : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<Measured> _measurements = new();

    public TelemetryRecorder(Func<Meter, bool>? meters = null)
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == StockpileDiagnostics.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StockpileDiagnostics.MeterName && (meters?.Invoke(instrument.Meter) ?? true))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _meters.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _meters.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _meters.Start();
    }

    /// <summary>Gets the spans that ended, in the order they ended.</summary>
    public IReadOnlyList<Activity> Spans => [.. _stopped];

    /// <summary>Gets the measurements heard, in order.</summary>
    public IReadOnlyList<Measured> Measurements => [.. _measurements];

    /// <summary>The spans of a store (tagged with its name), by span name.</summary>
    public IReadOnlyList<Activity> SpansOf(string store, string name) =>
        [.. Spans.Where(a => a.OperationName == name && (a.GetTagItem("stockpile.tier") as string) == store)];

    /// <summary>The measurements of an instrument tagged with the given store or tier name.</summary>
    public IReadOnlyList<Measured> Of(string instrument, string store) =>
        [.. Measurements.Where(m => m.Instrument.Name == instrument && m.Tag("stockpile.tier") == store)];

    /// <summary>Reads the observable instruments (gauges) now.</summary>
    public void Observe() => _meters.RecordObservableInstruments();

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new Measured(instrument, value, copy));
    }
}
