using Microsoft.Extensions.Logging;
using Stockpile.Redis.Internal.Resp;

namespace Stockpile.Redis;

/// <summary>
/// Every log message of Stockpile.Redis. None carries a value, a key, a command argument or a password:
/// only endpoints (<c>host:port</c>), roles, channel names, counts and exceptions whose messages obey the same rule.
/// </summary>
internal static partial class Log
{
    public const int ConnectedId = 1;
    public const int ConnectFailedId = 2;
    public const int ConnectionLostId = 3;
    public const int ReconnectAttemptFailedId = 4;
    public const int ConnectionRestoredId = 5;
    public const int RestoreStateFailedId = 6;
    public const int EventHandlerFailedId = 7;
    public const int MessageHandlerFailedId = 8;
    public const int ResubscribedId = 9;
    public const int SubscribeRejectedId = 10;
    public const int SubscribeDeferredId = 11;
    public const int DisposedId = 12;

    [LoggerMessage(ConnectedId, LogLevel.Information, "Connected to Redis at {EndPoint} ({Role}).", EventName = "Connected")]
    public static partial void Connected(ILogger logger, string endPoint, RedisConnectionRole role);

    [LoggerMessage(ConnectFailedId, LogLevel.Warning, "Could not connect to Redis at {EndPoint} ({Role}); retrying in the background.", EventName = "ConnectFailed")]
    public static partial void ConnectFailed(ILogger logger, string endPoint, RedisConnectionRole role, Exception exception);

    [LoggerMessage(ConnectionLostId, LogLevel.Warning, "Lost the connection to Redis at {EndPoint} ({Role}); reconnecting.", EventName = "ConnectionLost")]
    public static partial void ConnectionLost(ILogger logger, string endPoint, RedisConnectionRole role, Exception exception);

    [LoggerMessage(ReconnectAttemptFailedId, LogLevel.Debug, "Reconnect attempt {Attempt} to Redis at {EndPoint} ({Role}) failed.", EventName = "ReconnectAttemptFailed")]
    public static partial void ReconnectAttemptFailed(ILogger logger, int attempt, string endPoint, RedisConnectionRole role, Exception exception);

    [LoggerMessage(ConnectionRestoredId, LogLevel.Information, "Restored the connection to Redis at {EndPoint} ({Role}) after {Attempts} attempt(s).", EventName = "ConnectionRestored")]
    public static partial void ConnectionRestored(ILogger logger, string endPoint, RedisConnectionRole role, int attempts);

    [LoggerMessage(RestoreStateFailedId, LogLevel.Warning, "Could not restore the state of the connection to Redis at {EndPoint} ({Role}); reconnecting.", EventName = "RestoreStateFailed")]
    public static partial void RestoreStateFailed(ILogger logger, string endPoint, RedisConnectionRole role, Exception exception);

    [LoggerMessage(EventHandlerFailedId, LogLevel.Error, "A {EventName} handler of the Redis connection threw.", EventName = "EventHandlerFailed")]
    public static partial void EventHandlerFailed(ILogger logger, string eventName, Exception exception);

    [LoggerMessage(MessageHandlerFailedId, LogLevel.Error, "A handler for Redis channel {Channel} threw.", EventName = "MessageHandlerFailed")]
    public static partial void MessageHandlerFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(ResubscribedId, LogLevel.Information, "Resubscribed to {Count} Redis channel(s).", EventName = "Resubscribed")]
    public static partial void Resubscribed(ILogger logger, int count);

    [LoggerMessage(SubscribeRejectedId, LogLevel.Error, "Redis rejected the subscription to channel {Channel}: {ServerMessage}", EventName = "SubscribeRejected")]
    public static partial void SubscribeRejected(ILogger logger, string channel, string serverMessage);

    [LoggerMessage(SubscribeDeferredId, LogLevel.Information, "The subscription to Redis channel {Channel} is kept and will be made when the connection is back.", EventName = "SubscribeDeferred")]
    public static partial void SubscribeDeferred(ILogger logger, string channel, Exception exception);

    [LoggerMessage(DisposedId, LogLevel.Debug, "Disposed the connection to Redis at {EndPoint}.", EventName = "Disposed")]
    public static partial void Disposed(ILogger logger, string endPoint);
}
