namespace Stockpile;

/// <summary>The names Stockpile's traces and metrics are published under.</summary>
/// <remarks>
/// <para>Metrics (meter <see cref="MeterName"/>, from <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when DI
/// provides one): <c>stockpile.store.requests</c>, tagged <c>stockpile.store.request.type</c> (<c>hit</c> or
/// <c>miss</c>) and <c>stockpile.tier</c>; <c>stockpile.store.operation.duration</c> in seconds, tagged
/// <c>stockpile.tier</c> (the chain), <c>stockpile.operation</c> (<c>get</c>, <c>get_many</c>, <c>put</c>,
/// <c>delete</c>), <c>stockpile.store.request.type</c> (gets) and <c>error.type</c> (failures);
/// <c>stockpile.store.backfills</c>, tagged <c>stockpile.tier</c>; <c>stockpile.store.errors</c>, tagged
/// <c>stockpile.tier</c> and <c>stockpile.operation</c>; <c>stockpile.memory.entries</c> (gauge) and
/// <c>stockpile.memory.evictions</c> (tagged <c>stockpile.eviction.reason</c>: <c>size</c> or <c>expired</c>) for a
/// chain's memory tiers; <c>stockpile.invalidations</c>, tagged <c>stockpile.invalidation.direction</c> (<c>sent</c>
/// or <c>received</c>) and <c>stockpile.invalidation.kind</c> (<c>evict</c> or <c>clear</c>); and the Redis
/// package's <c>stockpile.redis.*</c> instruments (circuit state, state changes, rejected calls, missed writes,
/// recoveries, backplane messages). No tag ever holds a key.</para>
/// <para>Traces (source <see cref="ActivitySourceName"/>): a chain's <c>get</c>, <c>get_many</c>, <c>put</c> and
/// <c>delete</c>; each tier's <c>get</c> or <c>get_many</c> below a memory top tier, with <c>db.system</c>; and
/// <c>backfill</c>, a child of the read that caused it. Spans carry <c>db.operation.name</c>, <c>stockpile.tier</c>,
/// <c>stockpile.entity.type</c> and hit or miss, and on failure an <c>Error</c> status with <c>error.type</c> (the
/// exception's type, never its message). They are started only when something listens.</para>
/// <para>Register both with OpenTelemetry through <c>AddStockpileInstrumentation()</c>, and the tiers' health through
/// <c>AddStockpileHealthChecks()</c>.</para>
/// </remarks>
public static class StockpileDiagnostics
{
    /// <summary>The name of Stockpile's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "Stockpile";

    /// <summary>The name of Stockpile's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "Stockpile";
}
