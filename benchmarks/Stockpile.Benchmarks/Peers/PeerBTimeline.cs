using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stockpile.Redis.Internal;

namespace Stockpile.Benchmarks.Peers;

/// <summary>
/// The moments of one round of <see cref="PeerBackplaneBreakdownRun"/> (<see cref="Stopwatch"/> timestamps, 0 when not
/// seen), and the listeners that take them inside Stockpile without changing its read path: a
/// <see cref="MeterListener"/> on <c>stockpile.redis.backplane.messages</c> only (A's message <c>published</c>, counted
/// after the delete script's reply; B's message <c>received</c>, counted once decoded) and, as B's
/// <see cref="ILoggerFactory"/>, a logger that answers only for the backplane's category and takes the time of its
/// <c>BackplaneEvicted</c> event (written after B's memory tier evicted the keys). Every other category gets the null
/// logger, as without a factory.
/// </summary>
internal sealed class PeerBTimeline : ILoggerFactory
{
    private static PeerBTimeline? s_current;

    private readonly MeterListener _listener = new();

    public PeerBTimeline()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "stockpile.redis.backplane.messages")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == RedisMetrics.MessageTag)
                {
                    switch (tag.Value as string)
                    {
                        case "published":
                            Mark(ref Current.Published);
                            break;
                        case "received":
                            Mark(ref Current.Received);
                            break;
                    }
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Gets the round being measured (one at a time); marks outside a round land in a discarded one.</summary>
    public static Round Current => s_current?.Now ?? Round.Discarded;

    public Round Now { get; private set; } = Round.Discarded;

    /// <summary>Starts a round: the marks from now on are its own.</summary>
    public Round Begin()
    {
        Now = new Round();
        s_current = this;
        return Now;
    }

    /// <summary>Records the time into <paramref name="field"/> unless an earlier mark of the round set it.</summary>
    public static void Mark(ref long field) => Interlocked.CompareExchange(ref field, Stopwatch.GetTimestamp(), 0);

    public ILogger CreateLogger(string categoryName) =>
        categoryName.EndsWith(nameof(Stockpile.Redis.Backplane.RedisBackplane), StringComparison.Ordinal) ? new EvictedLogger() : NullLogger.Instance;

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
        _listener.Dispose();
        s_current = null;
    }

    /// <summary>One round's moments; public fields, so the listeners can mark them with one interlocked write.</summary>
    internal sealed class Round
    {
        public static readonly Round Discarded = new();

#pragma warning disable SA1401, CA1051 // marked by reference from the listeners
        public long Called;
        public long Saving;
        public long Committed;
        public long Saved;
        public long Returned;
        public long Published;
        public long Wire;
        public long Received;
        public long Evicted;
        public long MissStart;
        public long ReadStart;
        public long Seen;
        public int Polls;
        public int Queries;
        public long GcPauseTicks;
        public int PoolThreads;
#pragma warning restore SA1401, CA1051
    }

    private sealed class EvictedLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == Stockpile.Redis.Log.BackplaneEvictedId)
            {
                Mark(ref Current.Evicted);
            }
        }
    }
}
