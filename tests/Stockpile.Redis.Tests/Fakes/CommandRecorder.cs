using StackExchange.Redis;
using StackExchange.Redis.Profiling;

namespace Stockpile.Redis.Tests.Fakes;

/// <summary>Records the commands a multiplexer sends between <see cref="Start"/> and <see cref="Stop"/>, through StackExchange.Redis's profiler (the commands as sent: <c>EVALSHA</c>, <c>EVAL</c>, …).</summary>
internal sealed class CommandRecorder
{
    private static readonly HashSet<string> s_housekeeping = new(StringComparer.OrdinalIgnoreCase) { "PING", "ECHO", "INFO", "CLUSTER", "CLIENT", "CONFIG", "SUBSCRIBE" };
    private ProfilingSession? _session;

    public CommandRecorder(IConnectionMultiplexer multiplexer) => multiplexer.RegisterProfiler(() => _session);

    public void Start() => _session = new ProfilingSession();

    /// <summary>Stops recording; returns the commands sent (one round trip each), without the multiplexer's own housekeeping.</summary>
    public string[] Stop()
    {
        var session = _session ?? throw new InvalidOperationException("Not recording.");
        _session = null;
        return [.. session.FinishProfiling().Select(c => c.Command).Where(c => !s_housekeeping.Contains(c))];
    }
}
