namespace Stockpile.Redis.Internal.Resp;

/// <summary>A command got no reply within the sync timeout. The connection stays open and usable.</summary>
internal sealed class RedisTimeoutException : TimeoutException
{
    public RedisTimeoutException(string command, TimeSpan timeout)
        : base(ExceptionMessages.CommandTimedOut(command, timeout))
    {
        Command = command;
        Timeout = timeout;
    }

    /// <summary>Gets the name of the command (or a description of the batch) that timed out.</summary>
    public string Command { get; }

    /// <summary>Gets the timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }
}
