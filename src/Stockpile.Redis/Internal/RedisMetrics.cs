using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Stockpile.Redis.Internal;

/// <summary>
/// The Redis integration's instruments, on the <c>Stockpile</c> meter. One per <see cref="IMeterFactory"/> (DI), or a
/// shared one. Tags name tiers, endpoints and states, never keys.
/// </summary>
internal sealed class RedisMetrics
{
    public const string TierTag = "stockpile.tier";
    public const string EndPointTag = "server.address";
    public const string StateTag = "stockpile.redis.circuit.state";
    public const string KindTag = "stockpile.redis.recovery.kind";
    public const string MessageTag = "stockpile.redis.backplane.message";

    private readonly ConcurrentDictionary<RedisCircuit, byte> _breakers = new();
    private readonly Counter<long> _stateChanges;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _missed;
    private readonly Counter<long> _recoveries;
    private readonly Counter<long> _messages;

    public RedisMetrics(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(StockpileDiagnostics.MeterName) ?? Stockpile.Internal.StockpileMetrics.SharedMeter;
        Meter = meter;
        _stateChanges = meter.CreateCounter<long>("stockpile.redis.circuit.state_changes", unit: "{change}", description: "Changes of the Redis circuit breaker's state, tagged with the new state.");
        _rejected = meter.CreateCounter<long>("stockpile.redis.circuit.rejected", unit: "{call}", description: "Calls to Redis refused at once because the circuit was open.");
        _missed = meter.CreateCounter<long>("stockpile.redis.writes.missed", unit: "{key}", description: "Keys whose write or eviction did not reach Redis; they are removed from Redis before it is read again.");
        _recoveries = meter.CreateCounter<long>("stockpile.redis.recoveries", unit: "{recovery}", description: "Clean-ups of missed keys before Redis was used again, by kind (keys or clear).");
        _messages = meter.CreateCounter<long>("stockpile.redis.backplane.messages", unit: "{message}", description: "Backplane messages: published, received, ignored (own), unreadable, lost (not published).");
        meter.CreateObservableGauge("stockpile.redis.circuit.state", ObserveStates, unit: "{state}", description: "The Redis circuit breaker's state: 0 closed, 1 half-open, 2 open.");
    }

    public static RedisMetrics Shared { get; } = new(null);

    public Meter Meter { get; }

    public void Track(RedisCircuit breaker) => _breakers[breaker] = 0;

    public void Untrack(RedisCircuit breaker) => _breakers.TryRemove(breaker, out _);

    public void StateChanged(string endPoint, RedisCircuitState state) =>
        _stateChanges.Add(1, new KeyValuePair<string, object?>(EndPointTag, endPoint), new KeyValuePair<string, object?>(StateTag, StateName(state)));

    public void Rejected(string endPoint) => _rejected.Add(1, new KeyValuePair<string, object?>(EndPointTag, endPoint));

    public void Missed(string tier, int count) => _missed.Add(count, new KeyValuePair<string, object?>(TierTag, tier));

    public void Recovered(string tier, string kind) =>
        _recoveries.Add(1, new KeyValuePair<string, object?>(TierTag, tier), new KeyValuePair<string, object?>(KindTag, kind));

    public void Message(string kind, long count = 1) => _messages.Add(count, new KeyValuePair<string, object?>(MessageTag, kind));

    private static string StateName(RedisCircuitState state) => state switch
    {
        RedisCircuitState.Open => "open",
        RedisCircuitState.HalfOpen => "half_open",
        _ => "closed",
    };

    private IEnumerable<Measurement<int>> ObserveStates() =>
        _breakers.Select(static b => new Measurement<int>(
            b.Key.State switch { RedisCircuitState.Open => 2, RedisCircuitState.HalfOpen => 1, _ => 0 },
            new KeyValuePair<string, object?>(EndPointTag, b.Key.EndPoint)));
}
