namespace Stockpile.Redis.Internal.Resp;

/// <summary>Redis answered a command with an error reply (<c>-ERR …</c>, <c>-WRONGTYPE …</c>, …).</summary>
/// <remarks>The message carries the server's text, which names the problem but not the command's arguments.</remarks>
internal sealed class RedisServerException : InvalidOperationException
{
    public RedisServerException(string? command, string serverMessage)
        : base(ExceptionMessages.ServerError(command, serverMessage))
    {
        Command = command;
        ServerMessage = serverMessage;
        var space = serverMessage.IndexOf(' ', StringComparison.Ordinal);
        ErrorPrefix = space < 0 ? serverMessage : serverMessage[..space];
    }

    /// <summary>Gets the name of the failed command, when known.</summary>
    public string? Command { get; }

    /// <summary>Gets the server's error text, such as <c>WRONGTYPE Operation against a key…</c>.</summary>
    public string ServerMessage { get; }

    /// <summary>Gets the error's first word, such as <c>ERR</c>, <c>WRONGTYPE</c>, <c>NOAUTH</c> or <c>WRONGPASS</c>.</summary>
    public string ErrorPrefix { get; }
}
