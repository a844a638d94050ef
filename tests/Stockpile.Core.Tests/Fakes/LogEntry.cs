using Microsoft.Extensions.Logging;

namespace Stockpile.Tests.Fakes;

/// <summary>One entry a <see cref="ListLogger{T}"/> kept.</summary>
public sealed record LogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception);
