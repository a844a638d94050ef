using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;

namespace Stockpile.Benchmarks;

/// <summary>
/// Issue 12: what observing a chain costs. A chain hit from its memory tier by primary key with nobody listening (the
/// baseline, which must stay where <see cref="ChainedStoreBenchmarks"/> has it: no allocation), with a
/// <see cref="MeterListener"/> on Stockpile's instruments (the duration histogram is recorded), and with an
/// <see cref="ActivityListener"/> sampling Stockpile's spans (a <c>get</c> span per hit).
/// </summary>
[MemoryDiagnoser]
public class ChainedStoreObservabilityBenchmarks
{
    private const int HitId = 421;

    private ChainedStore _chain = null!;
    private MeterListener? _meters;
    private ActivityListener? _activities;

    /// <summary>Gets or sets who listens: nobody, a meter listener, or an activity listener.</summary>
    [Params("none", "metrics", "traces")]
    public string Listener { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        _chain = new ChainedStore([new MemoryStore(new MemoryStoreOptions { DefaultLifetime = TimeSpan.FromMinutes(30) }), new MemoryStore()]);
        _chain.PutAsync(new Product { Id = HitId, Sku = "SKU-421", Name = "Product 421", Price = 1 }).AsTask().GetAwaiter().GetResult();
        if (Listener == "metrics")
        {
            _meters = new MeterListener
            {
                InstrumentPublished = static (instrument, listener) =>
                {
                    if (instrument.Meter.Name == StockpileDiagnostics.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _meters.Start();
        }
        else if (Listener == "traces")
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = static source => source.Name == StockpileDiagnostics.ActivitySourceName,
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_activities);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _meters?.Dispose();
        _activities?.Dispose();
    }

    [Benchmark(Description = "ChainedStore hit by primary key")]
    public Product? ChainByPrimaryKey()
    {
        var pending = _chain.GetAsync<Product, int>(HitId);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }
}
