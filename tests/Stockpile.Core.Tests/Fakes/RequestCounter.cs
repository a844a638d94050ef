using System.Diagnostics.Metrics;

namespace Stockpile.Tests.Fakes;

/// <summary>Listens to the <c>stockpile.store.requests</c> counter and adds up what it reports, by request type and tier.</summary>
public sealed class RequestCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<(string Type, string Tier), long> _counts = [];

    public RequestCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StockpileDiagnostics.MeterName && instrument.Name == "stockpile.store.requests")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public long Hits(string tier) => Count("hit", tier);

    public long Misses(string tier) => Count("miss", tier);

    public void Dispose() => _listener.Dispose();

    private long Count(string type, string tier)
    {
        lock (_counts)
        {
            return _counts.GetValueOrDefault((type, tier));
        }
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? type = null;
        string? tier = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "stockpile.store.request.type":
                    type = tag.Value as string;
                    break;
                case "stockpile.tier":
                    tier = tag.Value as string;
                    break;
            }
        }

        lock (_counts)
        {
            var key = (type ?? "?", tier ?? "?");
            _counts[key] = _counts.GetValueOrDefault(key) + value;
        }
    }
}
