using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Stockpile.Quickstart;

/// <summary>Listens to Stockpile's own metrics: hits and misses per tier, and back-fills.</summary>
public sealed class TierCounters : IDisposable
{
    private readonly MeterListener _listener = new();

    public TierCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StockpileDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? tier = null, type = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "stockpile.tier") tier = tag.Value as string;
                if (tag.Key == "stockpile.store.request.type") type = tag.Value as string;
            }

            var name = instrument.Name == "stockpile.store.backfills" ? "backfill" : type;
            if (tier is not null && name is not null)
            {
                Counts.AddOrUpdate((tier, name), value, (_, old) => old + value);
            }
        });
        _listener.Start();
    }

    public ConcurrentDictionary<(string Tier, string Kind), long> Counts { get; } = new();

    public long Get(string tier, string kind) => Counts.TryGetValue((tier, kind), out var value) ? value : 0;

    public void Dispose() => _listener.Dispose();
}
