namespace Stockpile.Redis.Internal.Resp;

/// <summary>Describes a connection that was lost or restored.</summary>
internal sealed class RedisConnectionEventArgs(RedisConnectionRole role, string endPoint, Exception? reason) : EventArgs
{
    /// <summary>Gets which connection changed: commands or subscriptions.</summary>
    public RedisConnectionRole Role { get; } = role;

    /// <summary>Gets the server's endpoint as <c>host:port</c>.</summary>
    public string EndPoint { get; } = endPoint;

    /// <summary>Gets why the connection was lost; <see langword="null"/> when it was restored.</summary>
    public Exception? Reason { get; } = reason;
}
