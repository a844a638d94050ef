using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Stockpile.Benchmarks.Latency;

/// <summary>
/// Sleeps the calling thread until a <see cref="Stopwatch"/> timestamp, to within a few microseconds on Linux:
/// <c>clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)</c> (the clock <see cref="Stopwatch"/> reads there, in ns) after
/// the thread's timer slack is set to 1 ns with <c>prctl(PR_SET_TIMERSLACK)</c> (the default slack, 50 µs, would round
/// every wake-up up by as much). No spinning: the machine's cores are shared. The proxy's threads ask for the
/// real-time class (<c>SCHED_FIFO</c>, lowest priority) where allowed: a wire does not wait for a core, so a chunk due
/// should not wait behind the benchmark's own threads and the other processes on a busy machine either; they only sleep
/// and copy, so they take little from anyone. Elsewhere it falls back to
/// <see cref="Thread.Sleep(TimeSpan)"/> (millisecond-grained, so the proxy's delays are then not to be read).
/// </summary>
internal static partial class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1;
    private const int SetTimerSlack = 29;
    private const int ScheduleFifo = 1;
    private static int s_realTime = -1;

    /// <summary>Whether sleeps are exact to microseconds (Linux, with a nanosecond <see cref="Stopwatch"/>).</summary>
    public static bool IsPrecise { get; } = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <summary>Gets whether the proxy's threads run in the real-time class (<see langword="null"/> before the first asked).</summary>
    public static bool? IsRealTime => s_realTime < 0 ? null : s_realTime == 1;

    /// <summary>
    /// Sets the calling thread's timer slack to 1 ns and asks for the real-time class for it (which the process may
    /// not be allowed: then it stays in the normal class, and <see cref="IsRealTime"/> says so); call once on the thread.
    /// </summary>
    public static void PrepareThread()
    {
        if (!IsPrecise)
        {
            return;
        }

        if (Prctl(SetTimerSlack, 1, 0, 0, 0) != 0)
        {
            throw new InvalidOperationException($"prctl(PR_SET_TIMERSLACK) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        // On Linux a pid of 0 names the calling thread alone.
        var priority = 1;
        s_realTime = SchedSetScheduler(0, ScheduleFifo, in priority) == 0 ? 1 : 0;
    }

    /// <summary>Sleeps until <paramref name="timestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value); returns at once when it has passed.</summary>
    public static void Until(long timestamp)
    {
        if (!IsPrecise)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            return;
        }

        if (timestamp <= Stopwatch.GetTimestamp())
        {
            return;
        }

        var due = new TimeSpec { Seconds = timestamp / 1_000_000_000, Nanoseconds = timestamp % 1_000_000_000 };
        // Interrupted by a signal (EINTR, the runtime's own): sleep again until the same absolute time.
        while (ClockNanosleep(ClockMonotonic, TimerAbsolute, in due, IntPtr.Zero) == 4)
        {
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in TimeSpec request, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "sched_setscheduler")]
    private static partial int SchedSetScheduler(int pid, int policy, in int priority);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
