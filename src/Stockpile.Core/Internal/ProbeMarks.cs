namespace Stockpile.Internal;

/// <summary>
/// An experiment of lane bp9 (committed to be run, removed in the next commit): marks taken on A's eviction path
/// (0: the interceptor's cache update starts; 1: the Redis store's delete-and-publish entered; 2: its script call
/// made; 3: that call returned, the script written; 4: the background part of an eviction behind the save started).
/// </summary>
internal static class ProbeMarks
{
    /// <summary>Gets or sets what takes the marks (the benchmark's timeline); <see langword="null"/>: none.</summary>
#pragma warning disable CA2211, SA1401 // an experiment's hook
    public static Action<int>? Mark;
#pragma warning restore CA2211, SA1401
}
