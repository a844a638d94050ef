namespace Stockpile;

/// <summary>The names Stockpile's traces and metrics are published under.</summary>
/// <remarks>
/// <para>Metrics (meter <see cref="MeterName"/>): <c>stockpile.store.requests</c>, tagged
/// <c>stockpile.store.request.type</c> (<c>hit</c> or <c>miss</c>) and <c>stockpile.tier</c>;
/// <c>stockpile.store.backfills</c>; <c>stockpile.store.errors</c>, tagged <c>stockpile.tier</c> and
/// <c>stockpile.operation</c>; and <c>stockpile.store.operation.duration</c> in seconds. No tag ever holds a key.</para>
/// <para>Traces (source <see cref="ActivitySourceName"/>): spans named <c>get</c>, <c>get_many</c>, <c>put</c>,
/// <c>delete</c>, <c>backfill</c>, started only when something listens.</para>
/// </remarks>
public static class StockpileDiagnostics
{
    /// <summary>The name of Stockpile's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "Stockpile";

    /// <summary>The name of Stockpile's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "Stockpile";
}
