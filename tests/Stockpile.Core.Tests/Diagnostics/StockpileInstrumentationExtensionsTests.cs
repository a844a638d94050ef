using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Stockpile.Testing.Entities;
using Stockpile.Tests.Fakes;

namespace Stockpile.Tests.Diagnostics;

/// <summary>Issue 12: <c>AddStockpileInstrumentation()</c> wires Stockpile's source and meter into OpenTelemetry's SDK.</summary>
[NonParallelizable]
public sealed class StockpileInstrumentationExtensionsTests
{
    [Test]
    public async Task AddStockpileInstrumentation_SdkProviders_ExportStockpileSpansAndMetrics()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddStockpileInstrumentation().AddInMemoryExporter(spans).Build();
        using var metering = Sdk.CreateMeterProviderBuilder().AddStockpileInstrumentation().AddInMemoryExporter(metrics).Build();
        var chain = new TestChain(2, options: new ChainedStoreOptions { Name = $"otel-{Guid.NewGuid():N}"[..13] });
        await chain.Memory[1].PutAsync(TestProducts.New(1));

        await chain.Chain.GetAsync<Product, int>(1);
        tracing.ForceFlush();
        metering.ForceFlush();

        var get = spans.Single(s => s.OperationName == "get" && (s.GetTagItem("stockpile.tier") as string) == chain.Chain.Name);
        Assert.That(spans.Single(s => s.OperationName == "backfill").ParentSpanId, Is.EqualTo(get.SpanId));
        Assert.That(metrics.Select(m => m.Name), Is.SupersetOf(new[] { "stockpile.store.requests", "stockpile.store.operation.duration", "stockpile.store.backfills" }));
    }

    [Test]
    public void AddStockpileInstrumentation_NullBuilder_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => StockpileInstrumentationExtensions.AddStockpileInstrumentation((TracerProviderBuilder)null!));
        Assert.Throws<ArgumentNullException>(() => StockpileInstrumentationExtensions.AddStockpileInstrumentation((MeterProviderBuilder)null!));
    }
}
