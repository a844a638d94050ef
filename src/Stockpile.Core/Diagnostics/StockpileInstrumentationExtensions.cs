using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Stockpile;

/// <summary>Registers Stockpile's traces and metrics with OpenTelemetry's builders.</summary>
/// <remarks>
/// These extensions need only <c>OpenTelemetry.Api</c>; the application chooses the SDK and the exporters. They add
/// <see cref="StockpileDiagnostics.ActivitySourceName"/> and <see cref="StockpileDiagnostics.MeterName"/>, the names every
/// Stockpile package publishes under.
/// </remarks>
public static class StockpileInstrumentationExtensions
{
    /// <summary>Adds Stockpile's spans (<see cref="StockpileDiagnostics.ActivitySourceName"/>) to the traces.</summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static TracerProviderBuilder AddStockpileInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(StockpileDiagnostics.ActivitySourceName);
    }

    /// <summary>Adds Stockpile's instruments (meter <see cref="StockpileDiagnostics.MeterName"/>) to the metrics.</summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static MeterProviderBuilder AddStockpileInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(StockpileDiagnostics.MeterName);
    }
}
