using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Stockpile.Redis.Tests.Fakes;

/// <summary>Records the circuit states reported on <c>stockpile.redis.circuit.state_changes</c> for one endpoint.</summary>
internal sealed class StateChangeListener : IDisposable
{
    private readonly MeterListener _listener = new();

    public StateChangeListener(string endPoint)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StockpileDiagnostics.MeterName && instrument.Name == "stockpile.redis.circuit.state_changes")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? address = null;
            string? state = null;
            foreach (var tag in tags)
            {
                address = tag.Key == "server.address" ? tag.Value as string : address;
                state = tag.Key == "stockpile.redis.circuit.state" ? tag.Value as string : state;
            }

            if (address == endPoint && state is not null)
            {
                States.Enqueue(state);
            }
        });
        _listener.Start();
    }

    public ConcurrentQueue<string> States { get; } = new();

    public void Dispose() => _listener.Dispose();
}
