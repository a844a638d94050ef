namespace Stockpile.Redis.Internal.Resp;

/// <summary>
/// No connection to Redis: the first connect failed, the connection dropped before a reply arrived,
/// or a command was issued while it reconnects. Retrying later may succeed.
/// </summary>
internal sealed class RedisConnectionException : IOException
{
    public RedisConnectionException(string message, string endPoint, Exception? innerException = null)
        : base(message, innerException)
    {
        EndPoint = endPoint;
    }

    /// <summary>Gets the server's endpoint as <c>host:port</c>.</summary>
    public string EndPoint { get; }
}
