using Microsoft.Extensions.Logging;

namespace Stockpile.Redis;

/// <summary>
/// Every log message of Stockpile.Redis. None carries a value, a key, a command argument or a password:
/// only endpoints (<c>host:port</c>), roles, channel names, counts and exceptions whose messages obey the same rule.
/// </summary>
/// <remarks>Event ids are 2000–2999 (Core has 1–999, EfCore 1000–1999): 2000 plus the number each had before.</remarks>
internal static partial class Log
{
    public const int ConnectFailedId = 2002;
    public const int CircuitOpenedId = 2013;
    public const int CircuitHalfOpenId = 2014;
    public const int CircuitClosedId = 2015;
    public const int CircuitReopenedId = 2016;
    public const int WriteSkippedId = 2017;
    public const int WriteSkippedCircuitOpenId = 2018;
    public const int MissedKeysRemovedId = 2019;
    public const int MissedKeysClearedId = 2020;
    public const int MissedKeysOverflowedId = 2021;
    public const int MissedKeysCleanupFailedId = 2022;
    public const int BackplaneSubscribedId = 2023;
    public const int BackplaneSubscribeFailedId = 2024;
    public const int BackplanePublishFailedId = 2025;
    public const int BackplaneMessageUnreadableId = 2026;
    public const int BackplaneOwnMessageIgnoredId = 2027;
    public const int BackplaneEvictedId = 2028;
    public const int BackplaneClearedId = 2029;
    public const int BackplaneClearedAfterReconnectId = 2030;
    public const int BackplaneHandlerFailedId = 2031;
    public const int BackplaneRepublishedId = 2032;
    public const int ValueTooLargeId = 2033;
    public const int CacheBackplanePublishFailedId = 2034;
    public const int CacheBackplaneRepublishedId = 2035;
    public const int CacheBackplaneClearedAfterReconnectId = 2036;
    public const int BackplaneRemovedTagId = 2060; // 2060–2069: entity tags
    public const int CacheReadFailedId = 2070; // 2070–2079: the cache's fail-safe
    public const int CacheReadSkippedCircuitOpenId = 2071;
    public const int CacheWriteSkippedId = 2072;
    public const int CacheWriteSkippedCircuitOpenId = 2073;
    public const int SubscriptionConnectedId = 2041; // 2040–2049: the link's pub/sub connections

    [LoggerMessage(ConnectFailedId, LogLevel.Warning, "Could not connect to Redis at {EndPoint}; Redis calls fail until it can.", EventName = "ConnectFailed")]
    public static partial void ConnectFailed(ILogger logger, string endPoint, Exception exception);

    [LoggerMessage(SubscriptionConnectedId, LogLevel.Debug, "The Redis pub/sub connection to {EndPoint} opened on its first socket: no message can have been missed, the local tiers are kept.", EventName = "SubscriptionConnected")]
    public static partial void SubscriptionConnected(ILogger logger, string endPoint);







    [LoggerMessage(CircuitOpenedId, LogLevel.Warning, "The Redis circuit for {EndPoint} opened: at least {Failures} calls within {SamplingDuration} all failed; Redis is not called for {BreakDuration}: reads miss, writes are skipped and recorded.", EventName = "CircuitOpened")]
    public static partial void CircuitOpened(ILogger logger, string endPoint, int failures, TimeSpan samplingDuration, TimeSpan breakDuration);

    [LoggerMessage(CircuitHalfOpenId, LogLevel.Information, "The Redis circuit for {EndPoint} is half-open: one call probes Redis.", EventName = "CircuitHalfOpen")]
    public static partial void CircuitHalfOpen(ILogger logger, string endPoint);

    [LoggerMessage(CircuitClosedId, LogLevel.Information, "The Redis circuit for {EndPoint} closed: Redis is used again.", EventName = "CircuitClosed")]
    public static partial void CircuitClosed(ILogger logger, string endPoint);

    [LoggerMessage(CircuitReopenedId, LogLevel.Warning, "The probe of Redis at {EndPoint} failed; the circuit stays open for {BreakDuration}.", EventName = "CircuitReopened")]
    public static partial void CircuitReopened(ILogger logger, string endPoint, TimeSpan breakDuration);

    [LoggerMessage(WriteSkippedId, LogLevel.Warning, "Stockpile store '{Store}' could not write {Count} key(s) to Redis; the write is skipped and those keys are removed from Redis before it is read again.", EventName = "WriteSkipped")]
    public static partial void WriteSkipped(ILogger logger, string store, int count, Exception exception);

    [LoggerMessage(WriteSkippedCircuitOpenId, LogLevel.Debug, "Stockpile store '{Store}' skipped a write of {Count} key(s): the Redis circuit is open.", EventName = "WriteSkippedCircuitOpen")]
    public static partial void WriteSkippedCircuitOpen(ILogger logger, string store, int count);

    [LoggerMessage(MissedKeysRemovedId, LogLevel.Information, "Stockpile store '{Store}' removed {Count} Redis entr(ies) whose writes Redis missed, before using it again.", EventName = "MissedKeysRemoved")]
    public static partial void MissedKeysRemoved(ILogger logger, string store, int count);

    [LoggerMessage(MissedKeysClearedId, LogLevel.Warning, "Stockpile store '{Store}' had missed more writes than it remembers; it removed every key under its prefix before using Redis again.", EventName = "MissedKeysCleared")]
    public static partial void MissedKeysCleared(ILogger logger, string store);

    [LoggerMessage(MissedKeysOverflowedId, LogLevel.Warning, "Stockpile store '{Store}' missed more than {Capacity} Redis writes; every key under its prefix will be removed when Redis is back.", EventName = "MissedKeysOverflowed")]
    public static partial void MissedKeysOverflowed(ILogger logger, string store, int capacity);

    [LoggerMessage(MissedKeysCleanupFailedId, LogLevel.Warning, "Stockpile store '{Store}' could not remove the Redis entries whose writes were missed; Redis is not read until it can.", EventName = "MissedKeysCleanupFailed")]
    public static partial void MissedKeysCleanupFailed(ILogger logger, string store, Exception exception);

    [LoggerMessage(BackplaneSubscribedId, LogLevel.Information, "The Stockpile backplane listens on Redis channel {Channel}.", EventName = "BackplaneSubscribed")]
    public static partial void BackplaneSubscribed(ILogger logger, string channel);

    [LoggerMessage(BackplaneSubscribeFailedId, LogLevel.Error, "The Stockpile backplane could not subscribe to Redis channel {Channel}; other instances' changes are not heard.", EventName = "BackplaneSubscribeFailed")]
    public static partial void BackplaneSubscribeFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(BackplanePublishFailedId, LogLevel.Warning, "The Stockpile backplane could not publish on Redis channel {Channel}; it is sent again when Redis is back.", EventName = "BackplanePublishFailed")]
    public static partial void BackplanePublishFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(BackplaneMessageUnreadableId, LogLevel.Warning, "The Stockpile backplane received a message it cannot read on Redis channel {Channel}; it is ignored.", EventName = "BackplaneMessageUnreadable")]
    public static partial void BackplaneMessageUnreadable(ILogger logger, string channel, Exception? exception);

    [LoggerMessage(BackplaneOwnMessageIgnoredId, LogLevel.Debug, "The Stockpile backplane ignored its own message on Redis channel {Channel}.", EventName = "BackplaneOwnMessageIgnored")]
    public static partial void BackplaneOwnMessageIgnored(ILogger logger, string channel);

    [LoggerMessage(BackplaneEvictedId, LogLevel.Debug, "The Stockpile backplane evicted {Count} object(s) another instance changed from the local tiers.", EventName = "BackplaneEvicted")]
    public static partial void BackplaneEvicted(ILogger logger, int count);

    [LoggerMessage(BackplaneClearedId, LogLevel.Debug, "The Stockpile backplane cleared the local tiers of {EntityType} as another instance asked.", EventName = "BackplaneCleared")]
    public static partial void BackplaneCleared(ILogger logger, string entityType);

    [LoggerMessage(BackplaneRemovedTagId, LogLevel.Debug, "The Stockpile backplane removed the entities of a tag another instance removed from the local tiers.", EventName = "BackplaneRemovedTag")]
    public static partial void BackplaneRemovedTag(ILogger logger);

    [LoggerMessage(BackplaneClearedAfterReconnectId, LogLevel.Information, "The Stockpile backplane's subscription to Redis is back; the local tiers were cleared, since messages may have been missed.", EventName = "BackplaneClearedAfterReconnect")]
    public static partial void BackplaneClearedAfterReconnect(ILogger logger);

    [LoggerMessage(BackplaneHandlerFailedId, LogLevel.Error, "The Stockpile backplane failed to apply a message from another instance.", EventName = "BackplaneHandlerFailed")]
    public static partial void BackplaneHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(ValueTooLargeId, LogLevel.Warning, "Stockpile store '{Store}' refused to put a {EntityType} of {Size} bytes: over the limit of {Limit} bytes (RedisStoreOptions.MaximumValueBytes). Nothing was sent.", EventName = "ValueTooLarge")]
    public static partial void ValueTooLarge(ILogger logger, string store, string entityType, long size, long limit);

    [LoggerMessage(BackplaneRepublishedId, LogLevel.Information, "The Stockpile backplane published {Count} invalidation(s) held back while Redis was unavailable.", EventName = "BackplaneRepublished")]
    public static partial void BackplaneRepublished(ILogger logger, int count);

    [LoggerMessage(CacheBackplanePublishFailedId, LogLevel.Warning, "The Stockpile cache backplane could not publish on Redis channel {Channel}; it is sent again when Redis is back.", EventName = "CacheBackplanePublishFailed")]
    public static partial void CacheBackplanePublishFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(CacheBackplaneRepublishedId, LogLevel.Information, "The Stockpile cache backplane published {Count} eviction(s) on Redis channel {Channel} held back while Redis was unavailable.", EventName = "CacheBackplaneRepublished")]
    public static partial void CacheBackplaneRepublished(ILogger logger, string channel, int count);

    [LoggerMessage(CacheBackplaneClearedAfterReconnectId, LogLevel.Information, "The Stockpile cache backplane's subscription to Redis channel {Channel} is back; the cache's memory level was cleared, since messages may have been missed.", EventName = "CacheBackplaneClearedAfterReconnect")]
    public static partial void CacheBackplaneClearedAfterReconnect(ILogger logger, string channel);

    [LoggerMessage(CacheReadFailedId, LogLevel.Warning, "The Stockpile cache '{Cache}' could not read Redis ({Operation}); the read is a miss (a tagged value is not served).", EventName = "CacheReadFailed")]
    public static partial void CacheReadFailed(ILogger logger, string cache, string operation, Exception exception);

    [LoggerMessage(CacheReadSkippedCircuitOpenId, LogLevel.Debug, "The Stockpile cache '{Cache}' did not read Redis ({Operation}): the Redis circuit is open; the read is a miss.", EventName = "CacheReadSkippedCircuitOpen")]
    public static partial void CacheReadSkippedCircuitOpen(ILogger logger, string cache, string operation);

    [LoggerMessage(CacheWriteSkippedId, LogLevel.Warning, "The Stockpile cache '{Cache}' could not write to Redis ({Operation}); the write is skipped and its key removed from Redis before the cache uses it again.", EventName = "CacheWriteSkipped")]
    public static partial void CacheWriteSkipped(ILogger logger, string cache, string operation, Exception exception);

    [LoggerMessage(CacheWriteSkippedCircuitOpenId, LogLevel.Debug, "The Stockpile cache '{Cache}' skipped a write to Redis ({Operation}): the Redis circuit is open; its key is removed from Redis before the cache uses it again.", EventName = "CacheWriteSkippedCircuitOpen")]
    public static partial void CacheWriteSkippedCircuitOpen(ILogger logger, string cache, string operation);
}
