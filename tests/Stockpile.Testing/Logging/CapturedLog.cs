using Microsoft.Extensions.Logging;

namespace Stockpile.Testing.Logging;

/// <summary>One entry kept by <see cref="CapturingLoggerProvider"/>.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    /// <summary>Returns the message followed by the full exception text (messages, inner exceptions, stack).</summary>
    public override string ToString() => Message + (Exception is null ? string.Empty : Environment.NewLine + Exception);
}
