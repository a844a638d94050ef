using System.Runtime.InteropServices;

namespace Stockpile.Benchmarks;

/// <summary>
/// Issue 12, item 1, the clock's floor: <c>clock_gettime(CLOCK_MONOTONIC_COARSE)</c> called straight into the Linux
/// vDSO through a function pointer, the same clock <see cref="Environment.TickCount64"/> reads through .NET's native
/// shim and libc (measured beside it, not used by Stockpile). Linux x64 and arm64 only; elsewhere <see cref="IsAvailable"/> is false.
/// </summary>
internal static unsafe class VdsoCoarseClock
{
    private const int ClockMonotonicCoarse = 6;
    private static readonly delegate* unmanaged[SuppressGCTransition]<int, long*, int> s_clockGetTime = Find();

    public static bool IsAvailable => s_clockGetTime != null;

    /// <summary>The coarse monotonic clock in nanoseconds.</summary>
    public static long Now()
    {
        var timespec = stackalloc long[2];
        _ = s_clockGetTime(ClockMonotonicCoarse, timespec);
        return (timespec[0] * 1_000_000_000) + timespec[1];
    }

    private static delegate* unmanaged[SuppressGCTransition]<int, long*, int> Find()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("linux-vdso.so.1", out var vdso))
        {
            return null;
        }

        var name = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "__kernel_clock_gettime" : "__vdso_clock_gettime";
        return NativeLibrary.TryGetExport(vdso, name, out var export) ? (delegate* unmanaged[SuppressGCTransition]<int, long*, int>)export : null;
    }
}
