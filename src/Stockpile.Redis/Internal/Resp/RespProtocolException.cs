namespace Stockpile.Redis.Internal.Resp;

/// <summary>The server sent bytes that are not valid RESP2; the connection cannot be trusted and is closed.</summary>
internal sealed class RespProtocolException : IOException
{
    public RespProtocolException(string detail)
        : base("Invalid RESP data: " + detail + ".")
    {
        Detail = detail;
    }

    /// <summary>Gets what was wrong, without any of the data.</summary>
    public string Detail { get; }
}
